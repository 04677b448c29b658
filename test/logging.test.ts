import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { openTestApp } from './helpers/context.js';

const NUMBERS = ['+8613800138000', '13800138000', '+14155550123', '07700900123'];

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), text: () => lines.join('') };
}

describe('log redaction', () => {
  it('never writes a phone number in clear, wherever it hides in a log call', () => {
    const { logger, text } = capture();
    logger.info(`sending to ${NUMBERS[0]}`);
    logger.info({ phone: NUMBERS[1], to: NUMBERS[2], note: `reply from ${NUMBERS[3]}` }, 'message');
    logger.warn({ nested: { list: [`+86 138 0013 8000`] } }, 'nested');
    logger.error({ err: new Error(`carrier refused ${NUMBERS[2]}`) }, 'failed');
    logger.info('format %s', NUMBERS[0]);
    const out = text();
    expect(out.split('\n').filter(Boolean)).toHaveLength(5);
    for (const n of [...NUMBERS, '138 0013 8000']) expect(out).not.toContain(n);
    expect(out).toContain('[phone]');
    expect(out).toContain('carrier refused');
  });

  it('keeps numbers out of request logs, including query strings', async () => {
    const t = await openTestApp('sqlite');
    try {
      await t.app.inject({ method: 'GET', url: `/v1/contacts?phone=%2B8613800138000` });
      await t.app.inject({ method: 'GET', url: `/health?x=${NUMBERS[1]}` });
      const logs = t.logs();
      expect(logs).toContain('incoming request');
      for (const n of NUMBERS) expect(logs).not.toContain(n);
      expect(logs).not.toContain('%2B86');
    } finally {
      await t.close();
    }
  });
});

// The guarded outbound client against real receivers on 127.0.0.1. Nothing here connects anywhere
// else: refused calls are proved with loopback addresses and names that resolve to 127.0.0.1.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOutboundHttp,
  OutboundRefusedError,
  type Resolver,
} from '../../src/security/guarded-http.js';

interface Receiver {
  readonly port: number;
  /** TCP connections accepted so far. */
  connections: number;
  paths: string[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const server = http.createServer((req, res) => {
    state.paths.push(req.url ?? '');
    if (req.url === '/redirect') {
      res.writeHead(302, { location: `http://127.0.0.1:${state.port}/elsewhere` }).end();
    } else if (req.url === '/huge') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 120);
      let sent = 0;
      const pump = () => {
        while (sent < 4 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    } else if (req.url === '/stall') {
      // never answers
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    }
  });
  server.on('connection', () => (state.connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const state: Receiver = {
    port: (server.address() as { port: number }).port,
    connections: 0,
    paths: [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return state;
}

/** A name of the customer's that resolves to loopback, as a rebinding attacker would arrange. */
const CUSTOMER_NAME = 'hooks.customer.test';
const toLoopback: Resolver = async (hostname) => {
  if (hostname !== CUSTOMER_NAME)
    throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
  return [{ address: '127.0.0.1', family: 4 }];
};

describe('guarded outbound HTTP', () => {
  let rx: Receiver;
  beforeAll(async () => {
    rx = await startReceiver();
  });
  afterAll(() => rx.close());

  it('refuses loopback in every spelling before any connection, without the allowance', async () => {
    const outbound = createOutboundHttp({ allowedHosts: [], resolve: toLoopback });
    const before = rx.connections;
    const urls = [
      `http://127.0.0.1:${rx.port}/hook`,
      `http://localhost:${rx.port}/hook`,
      `http://0x7f.0.0.1:${rx.port}/hook`,
      `http://2130706433:${rx.port}/hook`,
      `http://[::ffff:127.0.0.1]:${rx.port}/hook`,
      `http://[::1]:${rx.port}/hook`,
      `http://${CUSTOMER_NAME}:${rx.port}/hook`,
    ];
    for (const url of urls) {
      const err = await outbound.request({ url, method: 'POST', body: '{}' }).catch((e) => e);
      expect(err, url).toBeInstanceOf(OutboundRefusedError);
      expect((err as OutboundRefusedError).problem).toBe('refused_address');
    }
    // Through the fetch face too, as the carriers call it.
    await expect(outbound.fetch(`http://127.0.0.1:${rx.port}/`)).rejects.toThrow(
      OutboundRefusedError,
    );
    expect(rx.connections).toBe(before);
    outbound.close();
  });

  it('refuses what is not http(s), and URLs with credentials', async () => {
    const outbound = createOutboundHttp({ allowedHosts: ['127.0.0.1'] });
    for (const [url, problem] of [
      [`ftp://127.0.0.1:${rx.port}/`, 'scheme'],
      [`file:///etc/passwd`, 'scheme'],
      [`http://u:p@127.0.0.1:${rx.port}/`, 'credentials'],
    ] as const) {
      await expect(outbound.request({ url })).rejects.toMatchObject({ problem });
    }
    outbound.close();
  });

  it('reaches an allowed host, connecting to the address it checked', async () => {
    const outbound = createOutboundHttp({
      allowedHosts: ['127.0.0.1', CUSTOMER_NAME],
      resolve: toLoopback,
    });
    const direct = await outbound.request({ url: `http://127.0.0.1:${rx.port}/direct` });
    expect(direct.status).toBe(200);
    expect(direct.body.toString()).toBe('{"ok":true}');
    // The system resolver does not know this name: the connection went where our resolver said.
    const named = await outbound.fetch(`http://${CUSTOMER_NAME}:${rx.port}/named`, {
      method: 'POST',
      body: 'x=1',
    });
    expect(named.status).toBe(200);
    expect(await named.json()).toEqual({ ok: true });
    expect(rx.paths).toEqual(expect.arrayContaining(['/direct', '/named']));
    outbound.close();
  });

  it('never follows a redirect', async () => {
    const outbound = createOutboundHttp({ allowedHosts: ['127.0.0.1'] });
    const answer = await outbound.request({ url: `http://127.0.0.1:${rx.port}/redirect` });
    expect(answer.status).toBe(302);
    expect(rx.paths).not.toContain('/elsewhere');
    outbound.close();
  });

  it('reads at most the size cap of an answer', async () => {
    const outbound = createOutboundHttp({ allowedHosts: ['127.0.0.1'] });
    const answer = await outbound.request({
      url: `http://127.0.0.1:${rx.port}/huge`,
      maxResponseBytes: 100_000,
    });
    expect(answer.truncated).toBe(true);
    expect(answer.body.length).toBe(100_000);
    await expect(outbound.fetch(`http://127.0.0.1:${rx.port}/huge`)).rejects.toThrow(/larger/);
    outbound.close();
  });

  it('gives up on a peer that does not answer, as a TimeoutError', async () => {
    const outbound = createOutboundHttp({ allowedHosts: ['127.0.0.1'] });
    const err = await outbound
      .request({ url: `http://127.0.0.1:${rx.port}/stall`, timeoutMs: 200 })
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('TimeoutError');
    const aborted = await outbound
      .fetch(`http://127.0.0.1:${rx.port}/stall`, { signal: AbortSignal.timeout(200) })
      .catch((e: Error) => e);
    expect((aborted as Error).name).toBe('TimeoutError');
    outbound.close();
  });
});

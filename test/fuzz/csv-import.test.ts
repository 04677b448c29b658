/**
 * Whole imports of generated files on both dialects: random bytes, BOMs, UTF-16 and GB18030,
 * broken quoting, huge fields, formula-looking cells. Every file either imports (its report
 * then accounts for it) or is refused with a 4xx error, and a refused file writes nothing:
 * no import record, no contact.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app-context.js';
import { importFile } from '../../src/contacts/import/importer.js';
import { isHeraldError } from '../../src/core/errors.js';
import { openTestContext } from '../helpers/context.js';
import { DIALECTS } from '../helpers/databases.js';
import { FILE_RUNS } from './runs.js';

const cell = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom('+86 139 1234 5678', '=cmd|"/c calc"!A1', '"unbalanced', '13912345678', '@x'),
  fc.constant('x'.repeat(70_000)),
);
const header = fc.oneof(
  fc.constant(['phone', 'first_name']),
  fc.constant(['手机号', '姓名']),
  fc.array(fc.string({ maxLength: 8 }), { minLength: 1, maxLength: 3 }),
);
const csvText = fc
  .tuple(
    header,
    fc.array(fc.array(cell, { maxLength: 3 }), { maxLength: 6 }),
    fc.constantFrom(',', ';', '\t'),
  )
  .map(([h, rows, d]) => [h, ...rows].map((r) => r.join(d)).join('\n'));
const fileBytes = fc.oneof(
  csvText.map((t) => Buffer.from(t, 'utf8')),
  csvText.map((t) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(t, 'utf8')])),
  csvText.map((t) => Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(t, 'utf-16le')])),
  csvText.map((t) => iconv.encode(t, 'gb18030')),
  fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
);

describe.each(DIALECTS)('[%s] CSV import of generated files', (dialect) => {
  let ctx: AppContext;
  let close: () => Promise<void>;
  let dir: string;

  beforeAll(async () => {
    const opened = await openTestContext(dialect, { HERALD_DEFAULT_COUNTRY: 'CN' });
    ctx = opened.ctx;
    close = async () => {
      await ctx.close();
      await opened.database.drop();
    };
    dir = mkdtempSync(path.join(tmpdir(), 'herald-fuzz-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await close();
  });

  const count = async (table: 'imports' | 'contacts') =>
    Number(
      (
        await ctx.store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('imports or refuses with a 4xx, and a refusal writes nothing', async () => {
    let refused = 0;
    let imported = 0;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fileBytes, async (bytes) => {
        const file = path.join(dir, `f${n++}.csv`);
        writeFileSync(file, bytes);
        const before = { imports: await count('imports'), contacts: await count('contacts') };
        try {
          const result = await importFile(
            ctx,
            { file, actor: 'fuzz', source: 'generated file', purpose: 'transactional' },
            { workers: 0 },
          );
          imported += 1;
          expect(result.id).toBeGreaterThan(0);
        } catch (error) {
          if (!isHeraldError(error) || error.status >= 500) throw error;
          refused += 1;
          expect({ imports: await count('imports'), contacts: await count('contacts') }).toEqual(
            before,
          );
        } finally {
          rmSync(file, { force: true });
        }
      }),
      // A whole import per case (file, transaction, report): fewer cases than the pure parsers.
      { numRuns: dialect === 'sqlite' ? FILE_RUNS : FILE_RUNS / 2 },
    );
    // Both paths were taken: the generator is not all garbage nor all good files.
    expect(refused).toBeGreaterThan(0);
    expect(imported).toBeGreaterThan(0);
  }, 300_000);
});

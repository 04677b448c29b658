// PostgreSQL cannot keep U+0000 in text. A request carrying it is refused with a 400 that names
// where it is, on both dialects alike, and nothing is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathOfNul } from '../../src/api/input.js';
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

describe.each(DIALECTS)('[%s] text holding U+0000', (dialect) => {
  let t: TestApp;
  let headers: Record<string, string>;
  beforeAll(async () => {
    t = await openTestApp(dialect, { HERALD_DEFAULT_COUNTRY: 'CN' });
    headers = { authorization: `Bearer ${await t.keyFor('admin')}` };
  });
  afterAll(async () => t.close());

  it('is refused in a body, with its path, and nothing is written', async () => {
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

  it('is refused in a segment filter and in a query string', async () => {
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
});

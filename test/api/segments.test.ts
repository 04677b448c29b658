import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContact } from '../../src/contacts/contacts.js';
import { queryAuditRows } from '../../src/store/audit-log.js';
import { DIALECTS } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';

type Headers = Record<string, string>;

describe.each(DIALECTS)('[%s] segments API', (dialect) => {
  let t: TestApp;
  let marketer: Headers;
  let analyst: Headers;
  let support: Headers;

  const send = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    headers: Headers,
    payload?: unknown,
  ) =>
    t.app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const create = (payload: unknown) => send('POST', '/v1/segments', marketer, payload);

  const CN_VIP = {
    and: [
      { kind: 'country', in: ['CN'] },
      { kind: 'tag', in: ['vip'] },
    ],
  };

  beforeAll(async () => {
    t = await openTestApp(dialect);
    const bearer = async (role: string) => ({ authorization: `Bearer ${await t.keyFor(role)}` });
    marketer = await bearer('marketer');
    analyst = await bearer('analyst');
    support = await bearer('support');
    const contact = (phone: string, tags: string[], region?: string) =>
      createContact(
        t.ctx,
        {
          phone,
          source: 'test',
          attributes: { tags, age_band: '25-34', ...(region ? { region } : {}) },
        },
        'test',
      );
    await contact('+86 139 1234 5678', ['vip'], '江苏省');
    await contact('+86 138 0013 8000', ['vip']);
    await contact('+86 137 0000 1111', []);
    await contact('+44 7400 123456', ['vip']);
  });
  afterAll(async () => t.close());

  it('previews a filter: the live count and a sample whose numbers are masked', async () => {
    const res = await send('POST', '/v1/segments/preview', marketer, { filter: CN_VIP, sample: 5 });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.count).toBe(2);
    expect(body.sample.map((s: { phone: string }) => s.phone)).toEqual([
      '+86 138****8000',
      '+86 139****5678',
    ]);
    expect(body.sample[1]).toMatchObject({ country: 'CN', region: '江苏省', ageBand: '25-34' });
    expect(res.body).not.toMatch(/13912345678|13800138000/);
  });

  it('gives an analyst the count without any contact', async () => {
    const res = await send('POST', '/v1/segments/preview', analyst, { filter: CN_VIP, sample: 5 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ count: 2 });
  });

  it('refuses someone who may read neither contacts nor campaigns, and audits it', async () => {
    const res = await send('POST', '/v1/segments/preview', support, { filter: CN_VIP });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('FORBIDDEN');
    expect((await send('GET', '/v1/segments', support)).statusCode).toBe(403);
    const denied = await queryAuditRows(t.ctx.store.db, { action: 'permission.denied', limit: 10 });
    expect(denied.some((r) => r.target === 'POST /v1/segments/preview')).toBe(true);
  });

  it('saves, lists, reads, counts, changes and deletes a segment, audited', async () => {
    const created = await create({ name: 'CN VIPs', description: '中国 VIP 客户', filter: CN_VIP });
    expect(created.statusCode).toBe(201);
    const seg = created.json();
    expect(seg).toMatchObject({
      name: 'CN VIPs',
      description: '中国 VIP 客户',
      filter: CN_VIP,
      createdBy: expect.stringMatching(/^apikey:/),
    });

    expect((await send('GET', `/v1/segments/${seg.id}`, analyst)).json()).toEqual(seg);
    const list = (await send('GET', '/v1/segments', analyst)).json();
    expect(list.items.map((s: { id: number }) => s.id)).toContain(seg.id);

    const count = await send('GET', `/v1/segments/${seg.id}/count?sample=1`, marketer);
    expect(count.json()).toMatchObject({ count: 2, sample: [{ phone: '+86 138****8000' }] });
    expect((await send('GET', `/v1/segments/${seg.id}/count`, analyst)).json()).toEqual({
      count: 2,
    });

    const changed = await send('PATCH', `/v1/segments/${seg.id}`, marketer, {
      filter: { kind: 'tag', in: ['vip'] },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ name: 'CN VIPs', filter: { kind: 'tag', in: ['vip'] } });
    expect((await send('GET', `/v1/segments/${seg.id}/count`, marketer)).json().count).toBe(3);

    expect((await send('DELETE', `/v1/segments/${seg.id}`, marketer)).statusCode).toBe(204);
    const gone = await send('GET', `/v1/segments/${seg.id}`, marketer);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('SEGMENT_NOT_FOUND');

    const trail = await queryAuditRows(t.ctx.store.db, { limit: 50 });
    expect(
      trail
        .filter((r) => r.target === `segment:${seg.id}`)
        .map((r) => r.action)
        .sort(),
    ).toEqual(['segment.create', 'segment.delete', 'segment.update']);
  });

  it('stores its filter in normal form', async () => {
    const res = await create({
      name: 'normal',
      filter: { and: [{ and: [{ kind: 'country', in: ['gb', 'cn'] }] }] },
    });
    expect(res.json().filter).toEqual({ kind: 'country', in: ['CN', 'GB'] });
  });

  it('lets only segments:write save', async () => {
    const res = await send('POST', '/v1/segments', analyst, { name: 'x', filter: CN_VIP });
    expect(res.statusCode).toBe(403);
  });

  it('refuses bad filters with SEGMENT_INVALID and the place in the tree', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ kind: 'colour', in: ['red'] }, '/kind', /unknown condition/],
      [{ and: [{ kind: 'country', in: ['CN'], extra: 1 }] }, '/and/0', /unknown field "extra"/],
      [
        { kind: 'attribute', name: 'shoe_size', op: 'gt', value: 40 },
        '',
        /not a declared attribute/,
      ],
      [{ not: { kind: 'purchase', sum: { min: 1 } } }, '/not', /needs a "currency"/],
      ['country = CN', '', /must be an object/],
    ];
    for (const [filter, path, message] of cases) {
      const res = await send('POST', '/v1/segments/preview', marketer, { filter });
      expect(res.statusCode).toBe(400);
      const error = res.json().error;
      expect(error.code).toBe('SEGMENT_INVALID');
      expect(error.message).toMatch(message);
      expect(error.details.errors[0].path).toBe(path);
    }
    const missing = await send('POST', '/v1/segments/preview', marketer, {});
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('accepts a declared custom attribute', async () => {
    const admin = { authorization: `Bearer ${await t.keyFor('admin')}` };
    const declared = await send('PUT', '/v1/attributes/shoe_size', admin, { type: 'integer' });
    expect(declared.statusCode).toBeLessThan(300);
    const res = await send('POST', '/v1/segments/preview', marketer, {
      filter: { kind: 'attribute', name: 'shoe_size', op: 'gt', value: 40 },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().count).toBe(0);
  });

  it('keeps SQL-looking names and values as data', async () => {
    const name = "x'); drop table contacts; --";
    const res = await create({ name, filter: { kind: 'region', in: ["江苏省' or '1'='1"] } });
    expect(res.statusCode).toBe(201);
    expect(res.json().name).toBe(name);
    expect((await send('GET', `/v1/segments/${res.json().id}/count`, marketer)).json().count).toBe(
      0,
    );
    expect(
      (await send('POST', '/v1/segments/preview', marketer, { filter: { and: [] } })).json().count,
    ).toBe(4);
  });

  it('refuses a duplicate name, a missing reference, a loop, and deleting a segment in use', async () => {
    const a = (await create({ name: 'A', filter: { kind: 'tag', in: ['vip'] } })).json();
    const dup = await create({ name: 'A', filter: CN_VIP });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('SEGMENT_EXISTS');

    const nowhere = await create({ name: 'B', filter: { kind: 'segment', id: 987_654 } });
    expect(nowhere.statusCode).toBe(400);
    expect(nowhere.json().error.code).toBe('SEGMENT_INVALID');

    const b = (
      await create({
        name: 'B',
        filter: {
          and: [
            { kind: 'segment', id: a.id },
            { kind: 'country', in: ['CN'] },
          ],
        },
      })
    ).json();
    expect((await send('GET', `/v1/segments/${b.id}/count`, marketer)).json().count).toBe(2);

    const loop = await send('PATCH', `/v1/segments/${a.id}`, marketer, {
      filter: { not: { kind: 'segment', id: b.id } },
    });
    expect(loop.statusCode).toBe(400);
    expect(loop.json().error).toMatchObject({
      code: 'SEGMENT_CYCLE',
      details: { ids: [a.id, b.id, a.id] },
    });
    const self = await send('PATCH', `/v1/segments/${a.id}`, marketer, {
      filter: { kind: 'segment', id: a.id },
    });
    expect(self.json().error.code).toBe('SEGMENT_CYCLE');

    const inUse = await send('DELETE', `/v1/segments/${a.id}`, marketer);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().error).toMatchObject({ code: 'SEGMENT_IN_USE', details: { ids: [b.id] } });
    expect((await send('DELETE', `/v1/segments/${b.id}`, marketer)).statusCode).toBe(204);
    expect((await send('DELETE', `/v1/segments/${a.id}`, marketer)).statusCode).toBe(204);
  });
});

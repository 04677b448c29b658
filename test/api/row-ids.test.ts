// An id beyond what the stores hold (PostgreSQL's integer ends at 2^31 − 1) is invalid input:
// a 400 naming it, on both dialects, never a 500 from the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ROW_ID } from '../../src/core/row-id.js';
import { openTestApp, type TestApp } from '../helpers/context.js';
import { DIALECTS } from '../helpers/databases.js';

describe.each(DIALECTS)('[%s] ids beyond the stores', (dialect) => {
  let t: TestApp;
  let headers: Record<string, string>;
  beforeAll(async () => {
    t = await openTestApp(dialect, { HERALD_DEFAULT_COUNTRY: 'CN' });
    headers = { authorization: `Bearer ${await t.keyFor('admin')}` };
  });
  afterAll(async () => t.close());

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

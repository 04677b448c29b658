// Every public endpoint of the content and policy engine answers bad input with a 400 and a
// stable error code, never a 500 or a silent success.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp } from '../helpers/context.js';

describe('content and policy endpoints refuse bad input', () => {
  let t: TestApp;
  let h: Record<string, string>;
  beforeAll(async () => {
    t = await openTestApp('sqlite', { HERALD_LINK_DOMAINS: 'shop.example' });
    h = { authorization: `Bearer ${await t.keyFor('admin')}` };
  });
  afterAll(async () => t.close());

  it.each([
    ['POST', '/v1/content/inspect', 'VALIDATION_FAILED', { text: ['a'] }],
    ['POST', '/v1/content/inspect', 'VALIDATION_FAILED', { text: 'x'.repeat(10_001) }],
    ['POST', '/v1/content/lint', 'VALIDATION_FAILED', { text: 'hi', purpose: 'marketing' }],
    [
      'POST',
      '/v1/content/lint',
      'VALIDATION_FAILED',
      { text: 'hi', purpose: 'marketing', country: 'china' },
    ],
    [
      'POST',
      '/v1/content/lint',
      'VALIDATION_FAILED',
      { text: 'hi', purpose: 'spam', country: 'CN' },
    ],
    ['POST', '/v1/templates/preview', 'VALIDATION_FAILED', { source: '' }],
    ['POST', '/v1/templates/preview', 'TEMPLATE_INVALID', { source: '{% if %}' }],
    [
      'POST',
      '/v1/templates/preview',
      'TEMPLATE_UNKNOWN_VARIABLE',
      { source: '{{ contact.password }}' },
    ],
    ['POST', '/v1/templates/preview', 'TEMPLATE_INVALID', { source: '{% include "x" %}' }],
    ['POST', '/v1/templates/worst-case', 'TEMPLATE_UNKNOWN_VARIABLE', { source: '{{ nope }}' }],
    ['POST', '/v1/templates/worst-case', 'VALIDATION_FAILED', { source: 'ok', country: 'XXL' }],
    [
      'POST',
      '/v1/decisions/explain',
      'VALIDATION_FAILED',
      { message: { purpose: 'marketing', body: 'x' } },
    ],
    [
      'POST',
      '/v1/decisions/explain',
      'VALIDATION_FAILED',
      { contactId: 0, message: { purpose: 'marketing', body: 'x' } },
    ],
    [
      'POST',
      '/v1/decisions/explain',
      'VALIDATION_FAILED',
      { contactId: 1, message: { purpose: 'marketing' } },
    ],
    [
      'POST',
      '/v1/decisions/explain',
      'VALIDATION_FAILED',
      { contactId: 1, message: { purpose: 'marketing', body: 'x' }, at: 'tomorrow' },
    ],
    ['POST', '/v1/links', 'LINK_NOT_ALLOWED', { target: 'https://evil.example/path' }],
    ['POST', '/v1/links', 'LINK_NOT_ALLOWED', { target: 'not a url at all' }],
    ['POST', '/v1/links', 'VALIDATION_FAILED', {}],
    ['PUT', '/v1/policies/XX/overrides', 'VALIDATION_FAILED', { overrides: null }],
    ['PUT', '/v1/policies/CN/overrides', 'VALIDATION_FAILED', { overrides: { id: 'US' } }],
    ['PUT', '/v1/policies/CN/overrides', 'VALIDATION_FAILED', {}],
  ])('%s %s → 400 %s (case %#)', async (method, url, code, payload) => {
    const res = await t.app.inject({ method: method as 'POST', url, headers: h, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe(code);
  });

  it('answers a body that is not a JSON object with 400 or 415', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/content/inspect',
      headers: { ...h, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect([400, 415]).toContain(res.statusCode);
    expect(res.json().error.code).toMatch(
      /^(BAD_REQUEST|UNSUPPORTED_MEDIA_TYPE|VALIDATION_FAILED)$/,
    );
  });
});

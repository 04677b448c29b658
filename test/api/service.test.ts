import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';

describe.each(DIALECTS)('[%s] service endpoints', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(dialect);
  });
  afterAll(async () => t.close());

  it('/health and /ready answer 200', async () => {
    expect((await t.app.inject('/health')).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject('/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', database: dialect });
  });

  it('sends security headers', async () => {
    const res = await t.app.inject('/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('publishes an OpenAPI document generated from the route schemas', async () => {
    const res = await t.app.inject('/docs/json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/users', '/v1/api-keys', '/v1/audit', '/v1/auth/login']),
    );
    expect(
      doc.paths['/v1/users'].post.requestBody.content['application/json'].schema.required,
    ).toEqual(['username', 'role']);
    expect((await t.app.inject('/docs')).statusCode).toBeLessThan(400);
  });

  it('exports Prometheus metrics by route pattern', async () => {
    await t.app.inject('/health');
    const res = await t.app.inject('/metrics');
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(
      /herald_http_requests_total\{method="GET",route="\/health",status="200"\} \d+/,
    );
    expect(res.body).toContain('herald_process_cpu_seconds_total');
  });

  it('answers unknown routes and bad JSON with the error shape', async () => {
    const missing = await t.app.inject('/v1/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
    const badJson = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"username":',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error.code).toBe('BAD_REQUEST');
  });

  it('hides internals of a 500', async () => {
    const key = await t.keyFor('admin');
    await t.ctx.store.destroy();
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/users',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'INTERNAL', message: 'Internal error' } });
    expect(res.body).not.toMatch(/at |driver|pool|sqlite|postgres/i);
  });
});

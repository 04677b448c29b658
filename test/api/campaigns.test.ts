import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';
import { PROMO } from '../delivery/helpers.js';

type Headers = Record<string, string>;

const DRAFT = {
  name: 'Spring sale',
  purpose: 'marketing',
  audience: { filter: { kind: 'country', in: ['us'] } },
  variants: [
    { key: 'A', body: PROMO },
    {
      key: 'B',
      body: 'Acme: {{ contact.city | default: "friend" }}, 20% off. Reply STOP to opt out',
    },
  ],
  experiment: { testFraction: 0.2, metric: 'click_rate', durationHours: 4, defaultVariant: 'A' },
  schedule: { kind: 'local_time', date: '2030-01-09', time: '10:00' },
  guardrails: { optOutRate: 0.01 },
  brand: 'Acme',
};

describe.each(DIALECTS)('[%s] campaigns API', (dialect) => {
  let t: TestApp;
  let marketer: Headers;
  let compliance: Headers;
  let admin: Headers;
  let analyst: Headers;

  const call = (
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    headers: Headers,
    payload?: object,
  ) => t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    t = await openTestApp(dialect);
    const bearer = async (role: string) => ({ authorization: `Bearer ${await t.keyFor(role)}` });
    marketer = await bearer('marketer');
    compliance = await bearer('compliance');
    admin = await bearer('admin');
    analyst = await bearer('analyst');
  });
  afterAll(async () => t.close());

  it('takes a campaign from draft to scheduled with a second person approving', async () => {
    const created = await call('POST', '/v1/campaigns', marketer, DRAFT);
    expect(created.statusCode).toBe(201);
    const campaign = created.json();
    expect(campaign).toMatchObject({
      status: 'draft',
      audience: { filter: { kind: 'country', in: ['US'] } }, // normalised
      pause: null,
      plan: { phase: 'none', afterContactId: 0 },
    });
    expect(campaign.author).toMatch(/^apikey:/);

    const patched = await call('PATCH', `/v1/campaigns/${campaign.id}`, marketer, {
      name: 'Spring sale 2030',
    });
    expect(patched.json()).toMatchObject({ name: 'Spring sale 2030', variants: DRAFT.variants });

    expect(
      (await call('POST', `/v1/campaigns/${campaign.id}/submit`, marketer, {})).json(),
    ).toMatchObject({ status: 'submitted' });
    const frozen = await call('PATCH', `/v1/campaigns/${campaign.id}`, marketer, { name: 'x' });
    expect(frozen.statusCode).toBe(409);
    expect(frozen.json().error.code).toBe('CAMPAIGN_NOT_EDITABLE');

    // A marketer may not approve at all.
    const denied = await call('POST', `/v1/campaigns/${campaign.id}/approve`, marketer, {});
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('FORBIDDEN');

    const approved = await call('POST', `/v1/campaigns/${campaign.id}/approve`, compliance, {});
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved' });
    expect(approved.json().approver).toMatch(/^apikey:/);
    expect(approved.json().approver).not.toBe(campaign.author);

    const badSchedule = await call('POST', `/v1/campaigns/${campaign.id}/schedule`, marketer, {
      schedule: { kind: 'best_hour', date: '2030-01-09', window: { start: '20:00', end: '09:00' } },
    });
    expect(badSchedule.statusCode).toBe(400);

    const scheduled = await call('POST', `/v1/campaigns/${campaign.id}/schedule`, marketer, {});
    expect(scheduled.json()).toMatchObject({
      status: 'scheduled',
      planAt: '2030-01-08T20:00:00.000Z', // 10:00 on the 9th is first reached at UTC+14
      counts: { planned: 0 },
    });

    const paused = await call('POST', `/v1/campaigns/${campaign.id}/pause`, marketer, {
      note: 'waiting for stock',
    });
    expect(paused.json()).toMatchObject({
      status: 'paused',
      pause: { reason: 'manual', from: 'scheduled', details: { note: 'waiting for stock' } },
    });
    expect(
      (await call('POST', `/v1/campaigns/${campaign.id}/resume`, marketer, {})).json(),
    ).toMatchObject({
      status: 'scheduled',
      pause: null,
    });
    expect(
      (await call('POST', `/v1/campaigns/${campaign.id}/cancel`, marketer, {})).json(),
    ).toMatchObject({
      status: 'cancelled',
    });
    const late = await call('POST', `/v1/campaigns/${campaign.id}/resume`, marketer, {});
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('CAMPAIGN_INVALID_TRANSITION');

    const audit = await call('GET', '/v1/audit?action=campaign.approve', admin);
    expect(audit.statusCode).toBe(200);
    expect(audit.json().items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          target: `campaign:${campaign.id}`,
          details: expect.objectContaining({ from: 'submitted', to: 'approved' }),
        }),
      ]),
    );
  });

  it('refuses to let an author approve their own marketing campaign: 403 with a code', async () => {
    const created = (await call('POST', '/v1/campaigns', admin, DRAFT)).json();
    await call('POST', `/v1/campaigns/${created.id}/submit`, admin, {});
    const own = await call('POST', `/v1/campaigns/${created.id}/approve`, admin, {});
    expect(own.statusCode).toBe(403);
    expect(own.json().error).toMatchObject({ code: 'CAMPAIGN_SELF_APPROVAL' });
    const rejected = await call('POST', `/v1/campaigns/${created.id}/reject`, compliance, {
      reason: 'the offer ended',
    });
    expect(rejected.json()).toMatchObject({ status: 'draft', rejection: 'the offer ended' });
  });

  it.each([
    ['no variant', { ...DRAFT, variants: [] }, 400, 'VALIDATION_FAILED'],
    [
      'an experiment whose default is not a variant',
      { ...DRAFT, experiment: { ...DRAFT.experiment, defaultVariant: 'Z' } },
      400,
      'CAMPAIGN_INVALID',
    ],
    [
      'a template variable nobody has',
      { ...DRAFT, variants: [{ key: 'A', body: 'Hi {{ contact.shoe_size }}' }], experiment: null },
      400,
      'TEMPLATE_UNKNOWN_VARIABLE',
    ],
    [
      'a saved segment that does not exist',
      { ...DRAFT, audience: { segmentId: 999 } },
      404,
      'SEGMENT_NOT_FOUND',
    ],
    [
      'a filter that is not one',
      { ...DRAFT, audience: { filter: { kind: 'colour', in: ['red'] } } },
      400,
      'SEGMENT_INVALID',
    ],
    [
      'an impossible date',
      { ...DRAFT, schedule: { kind: 'local_time', date: '2030-02-30', time: '10:00' } },
      400,
      'VALIDATION_FAILED',
    ],
    ['an unknown field', { ...DRAFT, colour: 'red' }, 400, 'VALIDATION_FAILED'],
  ])('refuses %s with a clear error', async (_name, payload, status, code) => {
    const res = await call('POST', '/v1/campaigns', marketer, payload);
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
  });

  it('lets an analyst read campaigns but not write them', async () => {
    const list = await call('GET', '/v1/campaigns?status=cancelled', analyst);
    expect(list.statusCode).toBe(200);
    expect(list.json().items.every((c: { status: string }) => c.status === 'cancelled')).toBe(true);
    expect(list.json().items.length).toBeGreaterThan(0);
    expect((await call('POST', '/v1/campaigns', analyst, DRAFT)).statusCode).toBe(403);
    expect((await call('GET', '/v1/campaigns/999', analyst)).json().error.code).toBe(
      'CAMPAIGN_NOT_FOUND',
    );
  });

  it('shows the approver each variant linted against the policy of each audience country', async () => {
    for (const phone of ['+1 415 555 0171', '+1 415 555 0172', '+1 212 555 0173']) {
      expect((await call('POST', '/v1/contacts', admin, { phone })).statusCode).toBe(201);
    }
    for (const phone of ['+86 138 0013 8071', '+86 138 0013 8072']) {
      expect((await call('POST', '/v1/contacts', admin, { phone })).statusCode).toBe(201);
    }
    const created = await call('POST', '/v1/campaigns', marketer, {
      ...DRAFT,
      name: 'Two countries',
      audience: { filter: { kind: 'country', in: ['US', 'CN'] } },
      variants: [
        { key: 'A', body: PROMO },
        { key: 'B', body: 'Acme: spring sale, 20% off today.' }, // no opt-out wording anywhere
      ],
      experiment: undefined,
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as number;
    const check = await call('GET', `/v1/campaigns/${id}/policy-check`, analyst);
    expect(check.statusCode, check.body).toBe(200);
    const body = check.json() as {
      ok: boolean;
      otherContacts: number;
      countries: {
        country: string;
        contacts: number;
        policy: string;
        variants: { key: string; ok: boolean; issues: { code: string; severity: string }[] }[];
      }[];
    };
    expect(body.ok).toBe(false);
    expect(body.otherContacts).toBe(0);
    // Largest country first, each counted as the segment counts it.
    expect(body.countries.map((c) => c.country)).toEqual(['US', 'CN']);
    const us = body.countries[0]!;
    expect(us.contacts).toBeGreaterThanOrEqual(3);
    expect(us.variants.find((v) => v.key === 'A')).toMatchObject({ ok: true });
    const usB = us.variants.find((v) => v.key === 'B')!;
    expect(usB.ok).toBe(false);
    expect(usB.issues.map((i) => i.code)).toContain('opt_out_missing');
    const cn = body.countries[1]!;
    expect(cn.contacts).toBe(2);
    expect(cn.policy).not.toBe(us.policy);
    for (const v of cn.variants) {
      expect(v.ok, v.key).toBe(false); // China wants its own signature and opt-out wording
      expect(v.issues.some((i) => i.severity === 'error')).toBe(true);
    }
    expect((await call('GET', '/v1/campaigns/999/policy-check', analyst)).statusCode).toBe(404);
  });
});

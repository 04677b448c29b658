/** /v1/analytics on a campaign that has not sent yet, an unknown one, and who may read them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaign } from '../../src/campaigns/campaigns.js';
import { openTestApp, type TestApp } from '../helpers/context.js';
import { promoCampaign } from '../campaigns/helpers.js';

describe('analytics API', () => {
  let t: TestApp;
  let analyst: Record<string, string>;
  let draftId: number;

  beforeAll(async () => {
    t = await openTestApp('sqlite');
    analyst = { authorization: `Bearer ${await t.keyFor('analyst')}` };
    draftId = (
      await createCampaign(
        t.ctx,
        promoCampaign({
          name: '春季促销',
          variants: [
            { key: 'A', body: 'Acme: spring sale, 20% off today. Reply STOP to opt out' },
            { key: 'B', body: 'Acme: 20% off everything today. Reply STOP to opt out' },
          ],
          experiment: {
            testFraction: 0.2,
            metric: 'conversion_rate',
            durationHours: 24,
            defaultVariant: 'B',
          },
        }),
        { actor: 'user:alice' },
      )
    ).id;
  });
  afterAll(async () => t.close());

  const get = (url: string, headers = analyst) => t.app.inject({ method: 'GET', url, headers });

  it('shows zeros and an experiment still waiting for data before anything was sent', async () => {
    const res = await get(`/v1/analytics/campaigns/${draftId}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      campaign: { id: draftId, name: '春季促销', status: 'draft', winner: null },
      total: { audience: 0, sent: 0, cost: 0, rates: { click: 0 } },
      variants: [],
      experiment: {
        metric: 'conversion_rate',
        defaultVariant: 'B',
        decision: null,
        current: { outcome: 'insufficient_data', winner: null },
      },
    });
    // The default comes first: it would win a tie.
    expect(res.json().experiment.current.variants.map((v: { key: string }) => v.key)).toEqual([
      'B',
      'A',
    ]);
    const csv = await get(`/v1/analytics/campaigns/${draftId}?format=csv`);
    expect(csv.body.trim().split('\n')).toHaveLength(2); // header and `all`
    expect(csv.body).toContain('春季促销');
    expect((await get(`/v1/analytics/campaigns/${draftId}/hourly`)).json()).toEqual({ points: [] });
  });

  it('answers 404 for an unknown campaign and 400 for a bad id or format', async () => {
    expect((await get('/v1/analytics/campaigns/999999')).statusCode).toBe(404);
    expect((await get('/v1/analytics/campaigns/abc')).statusCode).toBe(400);
    expect((await get(`/v1/analytics/campaigns/${draftId}?format=xml`)).statusCode).toBe(400);
    expect((await get('/v1/analytics/dashboard?limit=0')).statusCode).toBe(400);
  });

  it('is for people holding reports:read', async () => {
    const support = { authorization: `Bearer ${await t.keyFor('support')}` };
    expect((await get('/v1/analytics/dashboard', support)).statusCode).toBe(403);
    const dash = await get('/v1/analytics/dashboard');
    expect(dash.json()).toMatchObject({
      campaigns: 1,
      byStatus: { draft: 1 },
      total: { audience: 0 },
    });
  });
});

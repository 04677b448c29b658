/**
 * The compliance report for a period [from, to): every marketing message handed to a carrier is
 * judged at its send instant (src/core/reports/compliance.ts) against the consent ledger, the
 * suppression list and its pack's quiet hours and holidays, with the consent event it relied
 * on; opt-out replies and how fast they were honoured (p50/p99); and the staff who revealed or
 * exported numbers (audit log). Messages are read in id pages, so a large period streams.
 */
import type { AppContext } from '../app-context.js';
import { HeraldError } from '../core/errors.js';
import {
  judgeMessage,
  latencySummary,
  type ConsentRecord,
  type Finding,
  type LatencySummary,
} from '../core/reports/compliance.js';
import {
  marketingConsentEvents,
  marketingSuppressions,
  optOutReplies,
  revokesByMethod,
  sentMarketingPage,
  staffNumberAccess,
} from '../store/compliance-report.js';
import { loadPolicyOverrides, policyResolver } from './policies.js';

/** Audit actions that show a number in clear or take numbers out of Herald. */
export const NUMBER_ACCESS_ACTIONS = ['contact.reveal', 'privacy.export'] as const;

const PAGE = 1000;

export interface Period {
  readonly from: Date;
  readonly to: Date;
}

export interface EvidenceRow {
  readonly messageId: number;
  readonly campaignId: number | null;
  readonly contactId: number | null;
  readonly sentAt: string;
  readonly country: string | null;
  readonly consent: ConsentRecord | null;
  readonly findings: Finding[];
}

export function checkPeriod(
  p: { from?: string | undefined; to?: string | undefined },
  now: Date,
): Period {
  const to = p.to ? new Date(p.to) : now;
  const from = p.from ? new Date(p.from) : new Date(to.getTime() - 30 * 86_400_000);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to) {
    throw new HeraldError('REPORT_PERIOD_INVALID', '`from` must be an instant before `to`', {
      from: p.from,
      to: p.to,
    });
  }
  return { from, to };
}

/** Every sent marketing message of the period with its evidence and findings, in id order. */
export async function* marketingEvidence(
  ctx: AppContext,
  period: Period,
): AsyncGenerator<EvidenceRow[]> {
  const db = ctx.store.db;
  const policyFor = policyResolver(await loadPolicyOverrides(ctx));
  let afterId = 0;
  for (;;) {
    const page = await sentMarketingPage(db, {
      from: period.from.toISOString(),
      to: period.to.toISOString(),
      afterId,
      limit: PAGE,
    });
    if (page.length === 0) return;
    afterId = page.at(-1)!.id;
    const contactIds = [
      ...new Set(page.flatMap((m) => (m.contact_id === null ? [] : [m.contact_id]))),
    ];
    const until = page.reduce((max, m) => (m.sent_at > max ? m.sent_at : max), '');
    const events = await marketingConsentEvents(db, { contactIds, until });
    const byContact = new Map<number, typeof events>();
    for (const e of events) {
      const list = byContact.get(e.contact_id) ?? [];
      list.push(e);
      byContact.set(e.contact_id, list);
    }
    const suppressions = new Map<string, string>();
    for (const s of await marketingSuppressions(
      db,
      page.map((m) => m.phone_index),
    )) {
      const known = suppressions.get(s.phone_index);
      if (!known || s.created_at < known) suppressions.set(s.phone_index, s.created_at);
    }
    yield page.map((m) => {
      const latest = (byContact.get(m.contact_id ?? -1) ?? [])
        .filter((e) => e.at <= m.sent_at)
        .at(-1);
      const consent: ConsentRecord | null = latest
        ? { eventId: latest.id, action: latest.action, method: latest.method, at: latest.at }
        : null;
      const suppressedAt = suppressions.get(m.phone_index);
      const zones = m.own_zone ? [m.own_zone] : m.zones ? (JSON.parse(m.zones) as string[]) : [];
      const findings = judgeMessage(
        {
          sentAt: Date.parse(m.sent_at),
          country: m.country,
          ...(m.region && /^[A-Z0-9]{1,3}$/.test(m.region) ? { region: m.region } : {}),
          zones,
          consent,
          suppressedAt: suppressedAt && suppressedAt <= m.sent_at ? suppressedAt : null,
          erased: m.contact_id === null,
        },
        policyFor,
      );
      return {
        messageId: m.id,
        campaignId: m.campaign_id,
        contactId: m.contact_id,
        sentAt: m.sent_at,
        country: m.country,
        consent,
        findings,
      };
    });
  }
}

export interface ComplianceReport {
  readonly period: { from: string; to: string };
  readonly generatedAt: string;
  readonly marketing: {
    readonly checked: number;
    readonly compliant: number;
    readonly problems: Record<string, number>;
    /** The first findings (at most `findingLimit`), message by message. */
    readonly findings: (Omit<EvidenceRow, 'findings'> & Finding)[];
    readonly findingsTruncated: boolean;
  };
  readonly optOuts: {
    readonly replies: number;
    readonly honoured: number;
    readonly notHonoured: number;
    readonly latency: LatencySummary;
    readonly revokesByMethod: Record<string, number>;
  };
  readonly staffNumberAccess: {
    actor: string;
    action: string;
    n: number;
    first: string;
    last: string;
  }[];
}

export async function complianceReport(
  ctx: AppContext,
  period: Period,
  opts: { now?: Date; findingLimit?: number } = {},
): Promise<ComplianceReport> {
  const findingLimit = opts.findingLimit ?? 1000;
  const range = { from: period.from.toISOString(), to: period.to.toISOString() };
  let checked = 0;
  let compliant = 0;
  const problems: Record<string, number> = {};
  const findings: ComplianceReport['marketing']['findings'] = [];
  let truncated = false;
  for await (const page of marketingEvidence(ctx, period)) {
    for (const row of page) {
      checked += 1;
      if (row.findings.length === 0) compliant += 1;
      const { findings: found, ...evidence } = row;
      for (const f of found) {
        problems[f.problem] = (problems[f.problem] ?? 0) + 1;
        if (findings.length < findingLimit) findings.push({ ...evidence, ...f });
        else truncated = true;
      }
    }
  }
  const replies = await optOutReplies(ctx.store.db, range);
  const latencies: number[] = [];
  for (const r of replies) {
    const honouredAt =
      r.suppressed_at && r.suppressed_at <= r.received_at
        ? r.received_at
        : ([r.revoked_at, r.suppressed_at].filter((x): x is string => x !== null).sort()[0] ??
          null);
    if (honouredAt)
      latencies.push(Math.max(0, (Date.parse(honouredAt) - Date.parse(r.received_at)) / 1000));
  }
  return {
    period: range,
    generatedAt: (opts.now ?? new Date()).toISOString(),
    marketing: { checked, compliant, problems, findings, findingsTruncated: truncated },
    optOuts: {
      replies: replies.length,
      honoured: latencies.length,
      notHonoured: replies.length - latencies.length,
      latency: latencySummary(latencies),
      revokesByMethod: Object.fromEntries(
        (await revokesByMethod(ctx.store.db, range)).map((r) => [r.method, r.n]),
      ),
    },
    staffNumberAccess: await staffNumberAccess(ctx.store.db, {
      ...range,
      actions: NUMBER_ACCESS_ACTIONS,
    }),
  };
}

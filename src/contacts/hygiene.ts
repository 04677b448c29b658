/**
 * The hygiene run (`herald clean` and the daily job): walks every contact in keyset batches,
 * re-validates its number against the current libphonenumber metadata, invalidates and
 * suppresses bad numbers and repeated hard bounces, merges duplicates, flags stale marketing
 * consent for re-permission, and reports (and audits) what changed.
 *
 * How duplicates are found despite the unique blind index: two rows can never share an index,
 * so a duplicate only shows up as a contact whose stored E.164 no longer equals its own current
 * normalisation (metadata now reads `+49 0151...` as `+49 151...`). For such a contact the run
 * computes the blind index of the new normalisation; if that index belongs to another contact,
 * the two are the same number: the older one is kept and the other merged into it. If it belongs
 * to nobody, the contact is simply re-keyed to the new normalisation.
 */
import type { AppContext } from '../app-context.js';
import {
  HYGIENE_CHANGES,
  keeperOf,
  maskForReport,
  reviewContact,
  type ContactInvalidReason,
  type HygieneChange,
  type HygieneParams,
  type HygieneSubject,
} from '../core/hygiene.js';
import { findContactByIndex } from '../store/contacts.js';
import {
  markContactInvalid,
  mergeContacts,
  readHygieneBatch,
  rekeyContact,
  setNumberFacts,
  setRepermission,
  type HygieneRow,
} from '../store/hygiene.js';
import type { Job } from '../jobs/scheduler.js';

export interface HygieneLine {
  readonly contactId: number;
  /** Masked: reports are printed and stored by operators. */
  readonly phone: string;
  readonly change: HygieneChange;
  readonly detail?: string;
}

export type HygieneCounts = Record<
  'scanned' | 'unreadable' | 'suppressionsAdded' | HygieneChange,
  number
>;

export interface HygieneReport {
  readonly dryRun: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly counts: HygieneCounts;
  readonly lines: HygieneLine[];
  /** Lines beyond MAX_REPORT_LINES are counted, not kept. */
  readonly linesOmitted: number;
}

export interface HygieneOptions {
  readonly now: Date;
  readonly actor: string;
  readonly dryRun?: boolean;
  readonly batchSize?: number;
  readonly onProgress?: (scanned: number) => void;
}

const MAX_REPORT_LINES = 10_000;

// Engagement is an event (last_engaged_at) or a click on a tracked link, whichever is later.
function latestOf(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  return b === null || a > b ? a : b;
}

function subjectOf(row: HygieneRow, e164: string): HygieneSubject {
  return {
    e164,
    status: row.status,
    numberType: row.number_type,
    country: row.country,
    hardBounces: row.hard_bounces,
    lastEngagedAt: latestOf(row.last_engaged_at, row.last_click_at),
    repermissionAt: row.repermission_at,
    marketingGrantedAt: row.marketing_granted_at,
  };
}

/** One run's state: what it counted and reported, and what it already merged away. */
class HygieneRun {
  readonly counts = Object.fromEntries(
    ['scanned', 'unreadable', 'suppressionsAdded', ...HYGIENE_CHANGES].map((k) => [k, 0]),
  ) as HygieneCounts;
  readonly lines: HygieneLine[] = [];
  linesOmitted = 0;
  /** Contacts merged away during this run: a later batch must not touch them. */
  readonly dropped = new Set<number>();
  /** Dry run: the new indexes earlier contacts would have taken, so later twins still show. */
  readonly claimed = new Map<string, HygieneRow>();
  readonly params: HygieneParams;
  readonly at: string;
  readonly dryRun: boolean;

  constructor(
    readonly ctx: AppContext,
    readonly opts: HygieneOptions,
  ) {
    this.dryRun = opts.dryRun === true;
    this.at = opts.now.toISOString();
    this.params = {
      now: opts.now,
      hardBounceLimit: ctx.config.hardBounceLimit,
      repermissionDays: ctx.config.repermissionDays,
    };
  }

  report(line: HygieneLine): void {
    this.counts[line.change]++;
    if (this.lines.length < MAX_REPORT_LINES) this.lines.push(line);
    else this.linesOmitted++;
  }

  async contact(row: HygieneRow): Promise<void> {
    this.counts.scanned++;
    let e164: string;
    try {
      e164 = this.ctx.cipher.decrypt(row.phone_enc);
    } catch {
      this.counts.unreadable++;
      return;
    }
    const verdict = reviewContact(subjectOf(row, e164), this.params);
    const n = verdict.number;
    if (n.kind === 'invalid') return this.invalidate(row, e164, n.reason);
    if (n.kind === 'retyped') {
      this.report({
        contactId: row.id,
        phone: maskForReport(e164),
        change: 'retyped',
        detail: `${row.number_type} -> ${n.type}`,
      });
      if (!this.dryRun) {
        await setNumberFacts(this.ctx.store.db, {
          id: row.id,
          type: n.type,
          country: n.country,
          at: this.at,
        });
      }
    }
    let repermission = verdict.repermission;
    if (n.kind === 'renormalised') {
      const outcome = await this.renormalise(row, n);
      if (outcome === 'dropped') return;
      if (outcome === 'merged') {
        // The merge changed the consent state this verdict was based on: judge it again on the
        // merged row (a dry run cannot, and leaves it to the real run).
        if (this.dryRun) return;
        const [fresh] = await readHygieneBatch(this.ctx.store.db, {
          afterId: row.id - 1,
          limit: 1,
        });
        if (fresh?.id !== row.id) return;
        repermission = reviewContact(subjectOf(fresh, n.e164), this.params).repermission;
      }
      e164 = n.e164;
    }
    if (repermission === 'keep') return;
    const flag = repermission === 'flag';
    this.report({
      contactId: row.id,
      phone: maskForReport(e164),
      change: flag ? 'repermission_flagged' : 'repermission_cleared',
    });
    if (!this.dryRun) {
      await setRepermission(this.ctx.store.db, { id: row.id, at: flag ? this.at : null });
    }
  }

  private async invalidate(row: HygieneRow, e164: string, reason: ContactInvalidReason) {
    const bounced = reason === 'hard_bounce';
    this.report({
      contactId: row.id,
      phone: maskForReport(e164),
      change: bounced ? 'hard_bounce' : 'invalid_number',
      detail: reason,
    });
    if (this.dryRun) return;
    const { suppressionAdded } = await this.ctx.store.db.transaction().execute((tx) =>
      markContactInvalid(tx, {
        id: row.id,
        phoneIndex: row.phone_index,
        reason,
        suppressionReason: bounced ? 'hard_bounce' : 'invalid',
        actor: this.opts.actor,
        at: this.at,
      }),
    );
    if (suppressionAdded) this.counts.suppressionsAdded++;
  }

  /** Re-keys the contact to its current normalisation, merging it with a twin if it has one. */
  private async renormalise(
    row: HygieneRow,
    n: { e164: string; type: string; country: string | null },
  ): Promise<'rekeyed' | 'merged' | 'dropped'> {
    const db = this.ctx.store.db;
    const toIndex = this.ctx.cipher.blindIndex(n.e164);
    const owner =
      (this.dryRun ? this.claimed.get(toIndex) : undefined) ??
      (await findContactByIndex(db, toIndex));
    const rekey = {
      id: row.id,
      fromIndex: row.phone_index,
      toIndex,
      phoneEnc: this.ctx.cipher.encrypt(n.e164),
      type: n.type,
      country: n.country,
      at: this.at,
    };
    const phone = maskForReport(n.e164);
    if (!owner || owner.id === row.id) {
      this.report({ contactId: row.id, phone, change: 'renormalised' });
      this.claimed.set(toIndex, row);
      if (!this.dryRun) await db.transaction().execute((tx) => rekeyContact(tx, rekey));
      return 'rekeyed';
    }
    const { keep, drop } = keeperOf(
      { id: row.id, createdAt: row.created_at },
      { id: owner.id, createdAt: owner.created_at },
    );
    this.dropped.add(drop.id);
    this.report({
      contactId: keep.id,
      phone,
      change: 'merged',
      detail: `contact ${drop.id} merged into ${keep.id}`,
    });
    if (!this.dryRun) {
      await db.transaction().execute(async (tx) => {
        const merged = await mergeContacts(tx, { keepId: keep.id, dropId: drop.id, at: this.at });
        if (merged && keep.id === row.id) await rekeyContact(tx, rekey);
      });
    }
    return keep.id === row.id ? 'merged' : 'dropped';
  }
}

/** Runs hygiene over every contact; with `dryRun` it only reports what it would change. */
export async function runHygiene(ctx: AppContext, opts: HygieneOptions): Promise<HygieneReport> {
  const run = new HygieneRun(ctx, opts);
  let afterId = 0;
  for (;;) {
    const batch = await readHygieneBatch(ctx.store.db, { afterId, limit: opts.batchSize ?? 500 });
    if (batch.length === 0) break;
    afterId = batch[batch.length - 1]!.id;
    for (const row of batch) if (!run.dropped.has(row.id)) await run.contact(row);
    opts.onProgress?.(run.counts.scanned);
  }
  await ctx.auditor.record({
    actor: opts.actor,
    action: 'hygiene.run',
    target: null,
    details: { dryRun: run.dryRun, counts: run.counts },
  });
  return {
    dryRun: run.dryRun,
    startedAt: run.at,
    finishedAt: new Date().toISOString(),
    counts: run.counts,
    lines: run.lines,
    linesOmitted: run.linesOmitted,
  };
}

/** The daily hygiene job; returns the counts, which the scheduler logs. */
export const hygieneJob: Job = {
  name: 'contacts.hygiene',
  everyMs: 24 * 60 * 60_000,
  run: async (ctx, now) => (await runHygiene(ctx, { now, actor: 'system:hygiene' })).counts,
};

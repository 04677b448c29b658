/**
 * Connects the carriers that push what arrives on their own connection (SMPP's deliver_sm, the
 * simulator) to Herald: receipts to recordReceipt, inbound messages to the inbound handling
 * (opt-out, opt-in, help, confirmations, inbox). Webhook carriers arrive through the API instead.
 *
 * Events are handled one at a time, in the order they came. A receipt can overtake the
 * dispatcher's own record of the carrier's id (a fast carrier answers before the row says
 * `sent`): an unmatched receipt is tried again a few times before it is given up (logged).
 */
import type { AppContext } from '../app-context.js';
import type { DeliveryReceipt, InboundSms } from '../carriers/carrier.js';
import { receiveInbound } from '../contacts/inbound.js';
import { recordReceipt, recordReceipts, type ReceiptResult } from './receipts.js';

/** Receipts recorded in one transaction at most. */
const RECEIPT_BATCH = 1_000;
/** How long a flush waits for more receipts when fewer than a batch are pending. */
const RECEIPT_GATHER_MS = 20;

export interface CarrierEventsOptions {
  /** Wait before an unmatched receipt is tried again. Default 1 s. */
  readonly retryMs?: number;
  /** Tries of an unmatched receipt before it is given up. Default 10. */
  readonly maxTries?: number;
}

export interface CarrierEvents {
  /** Resolves once everything received so far was handled (retries still waiting aside). */
  idle(): Promise<void>;
  counts(): Readonly<Record<ReceiptResult | 'inbound' | 'given_up' | 'errors', number>>;
  stop(): void;
}

export function wireCarrierEvents(ctx: AppContext, opts: CarrierEventsOptions = {}): CarrierEvents {
  const retryMs = opts.retryMs ?? 1000;
  const maxTries = opts.maxTries ?? 10;
  const counts = {
    applied: 0,
    duplicate: 0,
    ignored: 0,
    unmatched: 0,
    inbound: 0,
    given_up: 0,
    errors: 0,
  };
  const timers = new Set<NodeJS.Timeout>();
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;

  const run = (what: string, task: () => Promise<void>) => {
    chain = chain.then(task).catch((err: unknown) => {
      counts.errors += 1;
      ctx.logger.error({ err, what }, 'carrier event not handled');
    });
  };
  // Receipts come in floods (one per message sent): they wait in `pending` and are recorded in
  // batches, one transaction each, in the order they came.
  let pending: { r: DeliveryReceipt; tries: number }[] = [];
  let flushQueued = false;
  const retry = (r: DeliveryReceipt, tries: number) => {
    if (tries >= maxTries) {
      counts.given_up += 1;
      ctx.logger.warn(
        { carrier: r.carrier, carrierMessageId: r.carrierMessageId, status: r.status },
        'receipt for no known message: given up',
      );
      return;
    }
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      receipt(r, tries + 1);
    }, retryMs);
    timer.unref();
    timers.add(timer);
  };
  const flush = async () => {
    // A moment for the receipts still on their way to join the batch (they come in floods).
    if (pending.length < RECEIPT_BATCH) await new Promise((r) => setTimeout(r, RECEIPT_GATHER_MS));
    flushQueued = false;
    const taken = pending.slice(0, RECEIPT_BATCH);
    pending = pending.slice(taken.length);
    if (pending.length > 0) queueFlush();
    let results: (ReceiptResult | 'errors')[];
    try {
      results = await recordReceipts(
        ctx,
        taken.map((p) => p.r),
      );
    } catch (err) {
      // One bad receipt must not cost the others: one by one, each failure counted alone.
      ctx.logger.warn({ err, size: taken.length }, 'receipt batch failed: recording one by one');
      results = [];
      for (const { r } of taken) {
        try {
          results.push(await recordReceipt(ctx, r));
        } catch (one) {
          ctx.logger.error({ err: one, what: 'receipt' }, 'carrier event not handled');
          results.push('errors');
        }
      }
    }
    results.forEach((result, i) => {
      counts[result] += 1;
      if (result === 'unmatched') retry(taken[i]!.r, taken[i]!.tries);
    });
  };
  const queueFlush = () => {
    if (flushQueued) return;
    flushQueued = true;
    run('receipt', flush);
  };
  const receipt = (r: DeliveryReceipt, tries: number) => {
    pending.push({ r, tries });
    queueFlush();
  };
  const inbound = (sms: InboundSms) =>
    run('inbound', async () => {
      await receiveInbound(ctx, sms);
      counts.inbound += 1;
    });

  const unsubscribers = ctx.carriers
    .names()
    .map((name) => ctx.carriers.get(name)!)
    .filter((carrier) => carrier.subscribe)
    .map((carrier) =>
      carrier.subscribe!({
        onReceipt: (r) => receipt(r, 1),
        onInbound: (sms) => inbound(sms),
      }),
    );
  return {
    idle: async () => {
      // New work may be chained while waiting: wait until the chain stops growing.
      for (let seen = chain; ; seen = chain) {
        await seen;
        if (seen === chain) return;
      }
    },
    counts: () => ({ ...counts }),
    stop: () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const unsubscribe of unsubscribers) unsubscribe();
    },
  };
}

const wired = new WeakMap<AppContext, CarrierEvents>();

/** Wires a context's carriers once (the worker's dispatch job calls this on every run). */
export function ensureCarrierEvents(ctx: AppContext): CarrierEvents {
  let events = wired.get(ctx);
  if (!events) {
    events = wireCarrierEvents(ctx);
    wired.set(ctx, events);
  }
  return events;
}

/**
 * Connects the carriers that push what arrives on their own connection (SMPP's deliver_sm, the
 * simulator) to Herald: receipts to recordReceipts, inbound messages to the inbound handling
 * (opt-out, opt-in, help, confirmations, inbox). Webhook carriers arrive through the API instead.
 *
 * Events are handled in the order they came; receipts, which come in floods, in batches of one
 * transaction each. Each event settles only once it is saved, so the carrier acknowledges it
 * only then (a rejection: the carrier delivers it again), and a worker killed meanwhile loses
 * nothing. A receipt that overtook the dispatcher's record of the carrier's id is saved too, in
 * held_receipts, and applied once the id is written (held-receipts.ts): nothing waits here.
 */
import type { AppContext } from '../app-context.js';
import type { DeliveryReceipt, InboundSms } from '../carriers/carrier.js';
import { receiveInbound } from '../contacts/inbound.js';
import { recordReceipt, recordReceipts, type ReceiptResult } from './receipts.js';

/** Receipts recorded in one transaction at most. */
const RECEIPT_BATCH = 1_000;
/** How long a flush waits for more receipts when fewer than a batch are pending. */
const RECEIPT_GATHER_MS = 20;

export interface CarrierEvents {
  /** Resolves once everything received so far was handled. */
  idle(): Promise<void>;
  counts(): Readonly<Record<ReceiptResult | 'inbound' | 'errors', number>>;
  stop(): void;
}

interface PendingReceipt {
  readonly r: DeliveryReceipt;
  readonly settle: (err?: unknown) => void;
}

export function wireCarrierEvents(ctx: AppContext): CarrierEvents {
  const counts = { applied: 0, duplicate: 0, ignored: 0, held: 0, inbound: 0, errors: 0 };
  let chain: Promise<void> = Promise.resolve();

  // The chain goes on after a failure; the caller gets the task's own outcome.
  const run = (what: string, task: () => Promise<void>): Promise<void> => {
    const handled = chain.then(task);
    chain = handled.catch((err: unknown) => {
      counts.errors += 1;
      ctx.logger.error({ err, what }, 'carrier event not handled');
    });
    return handled;
  };
  let pending: PendingReceipt[] = [];
  let flushQueued = false;
  const flush = async () => {
    // A moment for the receipts still on their way to join the batch (they come in floods).
    if (pending.length < RECEIPT_BATCH) await new Promise((r) => setTimeout(r, RECEIPT_GATHER_MS));
    flushQueued = false;
    const taken = pending.slice(0, RECEIPT_BATCH);
    pending = pending.slice(taken.length);
    if (pending.length > 0) queueFlush();
    let results: (ReceiptResult | { error: unknown })[];
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
          results.push({ error: one });
        }
      }
    }
    results.forEach((result, i) => {
      const p = taken[i]!;
      if (typeof result === 'object') {
        counts.errors += 1;
        ctx.logger.error({ err: result.error, what: 'receipt' }, 'carrier event not handled');
        p.settle(result.error);
        return;
      }
      counts[result] += 1;
      p.settle();
    });
  };
  const queueFlush = () => {
    if (flushQueued) return;
    flushQueued = true;
    void run('receipt', flush);
  };
  const receipt = (r: DeliveryReceipt): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      pending.push({ r, settle: (err) => (err === undefined ? resolve() : reject(err)) });
      queueFlush();
    });
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
        onReceipt: (r) => receipt(r),
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

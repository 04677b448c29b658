/**
 * Connects the carriers that push what arrives on their own connection (SMPP's deliver_sm, the
 * simulator) to Herald: receipts to recordReceipt, inbound messages to the inbound handling
 * (opt-out, opt-in, help, confirmations, inbox). Webhook carriers arrive through the API instead.
 *
 * Events are handled in the order they came; receipts, which come in floods, in batches of one
 * transaction each. Each event settles only once it is saved, so the carrier acknowledges it
 * only then (a rejection: the carrier delivers it again), and a worker killed meanwhile loses
 * nothing. A receipt can overtake the dispatcher's own record of the carrier's id (a fast
 * carrier answers before the row says `sent`): an unmatched receipt is tried again a few times
 * before it is given up (logged), and settles only then.
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
  /** Listen to the push carriers (default true); false: only retry what is handed over. */
  readonly subscribe?: boolean;
}

export interface CarrierEvents {
  /** Resolves once everything received so far was handled (retries still waiting aside). */
  idle(): Promise<void>;
  counts(): Readonly<Record<ReceiptResult | 'inbound' | 'given_up' | 'errors', number>>;
  /** A receipt that matched no message yet (a webhook's): tried again later, as above. */
  retryLater(receipt: DeliveryReceipt): void;
  stop(): void;
}

interface PendingReceipt {
  readonly r: DeliveryReceipt;
  readonly tries: number;
  readonly settle: (err?: unknown) => void;
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
  /** Retries waiting, with what ends their wait early (stop). */
  const timers = new Map<NodeJS.Timeout, () => void>();
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;

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
  const retry = (p: PendingReceipt) => {
    if (p.tries >= maxTries) {
      counts.given_up += 1;
      ctx.logger.warn(
        { carrier: p.r.carrier, carrierMessageId: p.r.carrierMessageId, status: p.r.status },
        'receipt for no known message: given up',
      );
      p.settle();
      return;
    }
    if (stopped) return p.settle();
    const timer = setTimeout(() => {
      timers.delete(timer);
      enqueue({ ...p, tries: p.tries + 1 });
    }, retryMs);
    timer.unref();
    timers.set(timer, () => p.settle());
  };
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
      if (result === 'unmatched') retry(p);
      else p.settle();
    });
  };
  const queueFlush = () => {
    if (flushQueued) return;
    flushQueued = true;
    void run('receipt', flush);
  };
  const enqueue = (p: PendingReceipt) => {
    pending.push(p);
    queueFlush();
  };
  const receipt = (r: DeliveryReceipt): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      enqueue({ r, tries: 1, settle: (err) => (err === undefined ? resolve() : reject(err)) });
    });
  const inbound = (sms: InboundSms) =>
    run('inbound', async () => {
      await receiveInbound(ctx, sms);
      counts.inbound += 1;
    });

  const pushCarriers = opts.subscribe === false ? [] : ctx.carriers.names();
  const unsubscribers = pushCarriers
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
    // The webhook already answered its carrier: nobody waits on this retry.
    retryLater: (r) => retry({ r, tries: 1, settle: () => {} }),
    stop: () => {
      stopped = true;
      for (const [timer, release] of timers) {
        clearTimeout(timer);
        release();
      }
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

const callbackRetries = new WeakMap<AppContext, CarrierEvents>();

/**
 * Retries for receipts that came by webhook before the dispatcher recorded the carrier's id;
 * subscribes to nothing, so the API process never opens a carrier's own connection.
 */
export function callbackReceiptRetries(ctx: AppContext): CarrierEvents {
  let events = callbackRetries.get(ctx);
  if (!events) {
    events = wireCarrierEvents(ctx, { subscribe: false });
    callbackRetries.set(ctx, events);
  }
  return events;
}

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
import { recordReceipt, type ReceiptResult } from './receipts.js';

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

  // Each event settles once handled, so the carrier acknowledges it only then (a rejection: the
  // carrier delivers it again); the chain itself goes on after a failure.
  const run = (what: string, task: () => Promise<void>): Promise<void> => {
    const handled = chain.then(task);
    chain = handled.catch((err: unknown) => {
      counts.errors += 1;
      ctx.logger.error({ err, what }, 'carrier event not handled');
    });
    return handled;
  };
  // A receipt for no known message yet (its outcome is still being recorded) is tried again a
  // few times; it settles (and the carrier acknowledges it) only once matched or given up.
  const receipt = async (r: DeliveryReceipt, tries: number): Promise<void> => {
    let result: ReceiptResult | null = null;
    await run('receipt', async () => {
      result = await recordReceipt(ctx, r);
      counts[result] += 1;
    });
    if (result !== 'unmatched') return;
    if (tries >= maxTries) {
      counts.given_up += 1;
      ctx.logger.warn(
        { carrier: r.carrier, carrierMessageId: r.carrierMessageId, status: r.status },
        'receipt for no known message: given up',
      );
      return;
    }
    if (stopped) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, retryMs);
      timer.unref();
      timers.set(timer, resolve);
    });
    if (!stopped) await receipt(r, tries + 1);
  };
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
    // The webhook already answered its carrier: nobody waits on this retry.
    retryLater: (r) => {
      if (stopped) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        void receipt(r, 2);
      }, retryMs);
      timer.unref();
      timers.set(timer, () => {});
    },
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

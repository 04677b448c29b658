/**
 * The built-in simulator: an in-process carrier for demos and tests. It accepts messages and
 * remembers the most recent ones (a bounded history, so a long-running demo does not grow), fails
 * the numbers its rules name (deterministically, by the number's last digits), and lets an admin
 * or a test play a recipient who replies.
 *
 * Like a real network it may take its time (`latencyMs`), refuse some submissions for a while
 * (`submitFailureRate`: throttled or busy, temporary), and report on each accepted message later
 * with a receipt pushed to its subscribers (`receiptDelayMs`): delivered at `deliveryRate`, the
 * rest undelivered or expired with the error a GSM network gives (MAP causes: unknown or absent
 * subscriber, call barred, memory full, network rejection). The defaults are deterministic: no
 * latency, nothing refused, everything delivered.
 *
 * Its state lives in the process: with `herald serve` and `herald worker` apart, the worker's
 * simulator is the one that sends.
 */
import type {
  Carrier,
  CarrierListener,
  DeliveryReceipt,
  InboundSms,
  OutgoingSms,
  ReceiptStatus,
  SendResult,
} from './carrier.js';

export const SIMULATOR_NAME = 'simulator';

/**
 * A number whose E.164 form ends in `suffix` fails with this code: at submission (default), or
 * accepted and then reported undelivered by its receipt (`stage: 'receipt'`).
 */
export interface SimulatedFailure {
  readonly suffix: string;
  readonly errorCode: string;
  readonly permanent: boolean;
  readonly stage?: 'submit' | 'receipt';
}

/** One message as the simulator saw it. */
export interface SimulatedMessage {
  /** Order of hand-off to this simulator, from 1. */
  readonly seq: number;
  readonly messageId: number;
  readonly carrierMessageId: string | null;
  /** E.164, in clear: the simulator plays the network. Show it masked. */
  readonly to: string;
  readonly body: string;
  readonly purpose: string;
  readonly segments: number;
  readonly sender: string | null;
  readonly status: 'accepted' | 'failed';
  readonly errorCode: string | null;
  readonly at: Date;
}

/** Milliseconds: a fixed value, or a range a value is drawn from uniformly. */
export type SimulatedDelay = number | readonly [number, number];

export interface SimulatorOptions {
  readonly name?: string;
  /** How many sent and inbound messages to remember (each list). Default 1,000. */
  readonly historyLimit?: number;
  readonly failures?: readonly SimulatedFailure[];
  readonly clock?: () => Date;
  /** Time a submission takes. Default 0. */
  readonly latencyMs?: SimulatedDelay;
  /** Share of submissions refused temporarily (SIM_THROTTLED, SIM_SYSTEM_BUSY). Default 0. */
  readonly submitFailureRate?: number;
  /** Share of accepted messages delivered; the rest fail as a network would. Default 1. */
  readonly deliveryRate?: number;
  /** Time until an accepted message's receipt is pushed. Default 0 (still asynchronous). */
  readonly receiptDelayMs?: SimulatedDelay;
  /** Push receipts at all. Default true. */
  readonly receipts?: boolean;
  /** Receipts and inbound messages kept for a subscriber still to come. Default 10,000. */
  readonly bufferLimit?: number;
  /** Random numbers in [0, 1) (tests pass a seeded one). Default Math.random. */
  readonly random?: () => number;
}

/**
 * Default rules: numbers ending in 0001 do not exist (a permanent failure), numbers ending in
 * 0002 are throttled (a temporary one), so a demo shows both without configuration.
 */
export const DEFAULT_SIMULATED_FAILURES: readonly SimulatedFailure[] = Object.freeze([
  { suffix: '0001', errorCode: 'SIM_UNKNOWN_SUBSCRIBER', permanent: true },
  { suffix: '0002', errorCode: 'SIM_THROTTLED', permanent: false },
]);

interface NetworkFailure {
  readonly status: Exclude<ReceiptStatus, 'delivered'>;
  readonly errorCode: string;
  readonly permanent: boolean;
  readonly weight: number;
}

/** How undelivered messages fail, by how often each happens on a real network. */
export const SIMULATED_NETWORK_FAILURES: readonly NetworkFailure[] = Object.freeze([
  // MAP absent subscriber: the phone stayed off until the validity period ran out.
  { status: 'expired', errorCode: 'SIM_ABSENT_SUBSCRIBER', permanent: false, weight: 40 },
  // MAP unknown subscriber: the number is not (or no longer) in service. A hard bounce.
  { status: 'undelivered', errorCode: 'SIM_UNKNOWN_SUBSCRIBER', permanent: true, weight: 25 },
  { status: 'undelivered', errorCode: 'SIM_HANDSET_MEMORY_FULL', permanent: false, weight: 15 },
  { status: 'undelivered', errorCode: 'SIM_CALL_BARRED', permanent: false, weight: 10 },
  { status: 'failed', errorCode: 'SIM_NETWORK_REJECTED', permanent: false, weight: 10 },
]);

const SUBMIT_REFUSALS = ['SIM_THROTTLED', 'SIM_SYSTEM_BUSY'] as const;

type PushEvent =
  | { readonly kind: 'receipt'; readonly receipt: DeliveryReceipt }
  | { readonly kind: 'inbound'; readonly sms: InboundSms };

const REDELIVER_MS = 1000;
const MAX_DELIVERIES = 5;

function remember<T>(list: T[], item: T, limit: number): void {
  list.push(item);
  if (list.length > limit) list.splice(0, list.length - limit);
}

export class SimulatorCarrier implements Carrier {
  readonly name: string;
  private readonly limit: number;
  private readonly clock: () => Date;
  private readonly random: () => number;
  private failures: readonly SimulatedFailure[];
  private readonly sentLog: SimulatedMessage[] = [];
  private readonly inboundLog: InboundSms[] = [];
  private readonly listeners = new Set<CarrierListener>();
  private readonly buffered: PushEvent[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private sequence = 0;
  private handed = 0;
  private closed = false;

  constructor(private readonly options: SimulatorOptions = {}) {
    this.name = options.name ?? SIMULATOR_NAME;
    this.limit = Math.max(1, options.historyLimit ?? 1000);
    this.failures = options.failures ?? DEFAULT_SIMULATED_FAILURES;
    this.clock = options.clock ?? (() => new Date());
    this.random = options.random ?? Math.random;
  }

  /** Messages handed to this simulator so far (the `seq` of the latest). */
  get handoffs(): number {
    return this.handed;
  }

  async send(message: OutgoingSms): Promise<SendResult> {
    if (this.closed) return { status: 'failed', errorCode: 'SIM_CLOSED', permanent: false };
    // The longest matching suffix wins, so a rule for 10001 can override one for 0001.
    const rule = [...this.failures]
      .sort((a, b) => b.suffix.length - a.suffix.length)
      .find((f) => message.to.endsWith(f.suffix));
    const refusal =
      rule && rule.stage !== 'receipt'
        ? { errorCode: rule.errorCode, permanent: rule.permanent }
        : this.random() < (this.options.submitFailureRate ?? 0)
          ? { errorCode: this.pick(SUBMIT_REFUSALS), permanent: false }
          : null;
    this.sequence += 1;
    this.handed += 1;
    const carrierMessageId = refusal ? null : `sim-${this.sequence.toString().padStart(8, '0')}`;
    // Recorded at the moment of hand-off, before any simulated latency.
    remember(
      this.sentLog,
      {
        seq: this.handed,
        messageId: message.messageId,
        carrierMessageId,
        to: message.to,
        body: message.body,
        purpose: message.purpose,
        segments: message.segments,
        sender: message.sender ?? null,
        status: refusal ? 'failed' : 'accepted',
        errorCode: refusal?.errorCode ?? null,
        at: this.clock(),
      },
      this.limit,
    );
    await this.wait(this.options.latencyMs);
    if (refusal) return { status: 'failed', ...refusal };
    if (this.options.receipts !== false) this.scheduleReceipt(carrierMessageId!, rule);
    return { status: 'accepted', carrierMessageId: carrierMessageId! };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.listeners.clear();
  }

  /** Receipts and inbound messages as they come; what came before the first listener too. */
  subscribe(listener: CarrierListener): () => void {
    this.listeners.add(listener);
    for (const event of this.buffered.splice(0)) this.emitTo(listener, event, 1);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Reports on a message it accepted, now (tests, contract fakes). */
  pushReceipt(
    carrierMessageId: string,
    status: ReceiptStatus,
    errorCode?: string,
    permanent?: boolean,
  ): DeliveryReceipt {
    const receipt: DeliveryReceipt = {
      carrier: this.name,
      carrierMessageId,
      status,
      at: this.clock(),
      ...(errorCode === undefined ? {} : { errorCode }),
      ...(permanent === undefined ? {} : { permanent }),
    };
    this.emit({ kind: 'receipt', receipt });
    return receipt;
  }

  /** A recipient replies over the network: pushed to the subscribers like a real MO message. */
  pushInbound(from: string, text: string, receivedAt: Date = this.clock()): InboundSms {
    const sms = this.injectInbound(from, text, receivedAt);
    this.emit({ kind: 'inbound', sms });
    return sms;
  }

  /** Replaces the failure rules (tests, demos). */
  setFailures(failures: readonly SimulatedFailure[]): void {
    this.failures = [...failures];
  }

  /** What the simulator was handed, oldest first (at most the history limit). */
  sent(): readonly SimulatedMessage[] {
    return [...this.sentLog];
  }

  /** Messages handed to one number, oldest first. */
  sentTo(e164: string): readonly SimulatedMessage[] {
    return this.sentLog.filter((m) => m.to === e164);
  }

  /**
   * A recipient replies: the message Herald's inbound handling should receive. Only returned,
   * not pushed (the caller hands it over itself, as the simulator API does); see pushInbound.
   */
  injectInbound(from: string, text: string, receivedAt: Date = this.clock()): InboundSms {
    this.sequence += 1;
    const sms: InboundSms = {
      carrier: this.name,
      from,
      text,
      receivedAt,
      carrierMessageId: `sim-in-${this.sequence.toString().padStart(8, '0')}`,
    };
    remember(this.inboundLog, sms, this.limit);
    return sms;
  }

  inbound(): readonly InboundSms[] {
    return [...this.inboundLog];
  }

  /** Forgets the history (tests). */
  clear(): void {
    this.sentLog.length = 0;
    this.inboundLog.length = 0;
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.min(items.length - 1, Math.floor(this.random() * items.length))]!;
  }

  private delay(spec: SimulatedDelay | undefined): number {
    if (spec === undefined) return 0;
    if (typeof spec === 'number') return Math.max(0, spec);
    const [min, max] = spec;
    return Math.max(0, min + this.random() * (max - min));
  }

  private async wait(spec: SimulatedDelay | undefined): Promise<void> {
    const ms = this.delay(spec);
    if (ms > 0) await new Promise<void>((resolve) => setTimeout(resolve, ms));
  }

  private after(ms: number, fn: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private outcome(rule: SimulatedFailure | undefined) {
    if (rule?.stage === 'receipt') {
      return {
        status: 'undelivered' as const,
        errorCode: rule.errorCode,
        permanent: rule.permanent,
      };
    }
    if (this.random() < (this.options.deliveryRate ?? 1)) return null;
    const total = SIMULATED_NETWORK_FAILURES.reduce((n, f) => n + f.weight, 0);
    let draw = this.random() * total;
    for (const failure of SIMULATED_NETWORK_FAILURES) {
      draw -= failure.weight;
      if (draw < 0) return failure;
    }
    return SIMULATED_NETWORK_FAILURES[0]!;
  }

  private scheduleReceipt(carrierMessageId: string, rule: SimulatedFailure | undefined): void {
    // Drawn now, so that a seeded run gives the same outcomes whatever the timing.
    const failure = this.outcome(rule);
    this.after(this.delay(this.options.receiptDelayMs), () => {
      if (failure) {
        this.pushReceipt(carrierMessageId, failure.status, failure.errorCode, failure.permanent);
      } else {
        this.pushReceipt(carrierMessageId, 'delivered');
      }
    });
  }

  private emit(event: PushEvent): void {
    if (this.listeners.size === 0) {
      remember(this.buffered, event, this.options.bufferLimit ?? 10_000);
      return;
    }
    for (const listener of this.listeners) this.emitTo(listener, event, 1);
  }

  private emitTo(listener: CarrierListener, event: PushEvent, delivery: number): void {
    if (!this.listeners.has(listener)) return;
    // The listener asks for it again later (Carrier contract); a few times, then dropped.
    const again = () => {
      if (delivery < MAX_DELIVERIES) {
        this.after(REDELIVER_MS, () => this.emitTo(listener, event, delivery + 1));
      }
    };
    try {
      const handled =
        event.kind === 'receipt'
          ? listener.onReceipt?.(event.receipt)
          : listener.onInbound?.(event.sms);
      if (handled instanceof Promise) handled.catch(again);
    } catch {
      again();
    }
  }
}

export function createSimulator(options: SimulatorOptions = {}): SimulatorCarrier {
  return new SimulatorCarrier(options);
}

export function isSimulator(carrier: Carrier | undefined): carrier is SimulatorCarrier {
  return carrier instanceof SimulatorCarrier;
}

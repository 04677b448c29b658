/**
 * The built-in simulator: an in-process carrier for demos and tests. It accepts messages and
 * remembers the most recent ones (a bounded history, so a long-running demo does not grow), fails
 * the numbers its rules name (deterministically, by the number's last digits), and lets an admin
 * or a test play a recipient who replies (`injectInbound`).
 *
 * Its state lives in the process: with `herald serve` and `herald worker` apart, the worker's
 * simulator is the one that sends. Realistic latency, rates and simulated recipients are issue 5.
 */
import type { Carrier, InboundSms, OutgoingSms, SendResult } from './carrier.js';

export const SIMULATOR_NAME = 'simulator';

/** A number whose E.164 form ends in `suffix` fails with this code. */
export interface SimulatedFailure {
  readonly suffix: string;
  readonly errorCode: string;
  readonly permanent: boolean;
}

/** One message as the simulator saw it. */
export interface SimulatedMessage {
  readonly messageId: number;
  readonly carrierMessageId: string | null;
  /** E.164, in clear: the simulator plays the network. Show it masked. */
  readonly to: string;
  readonly body: string;
  readonly purpose: string;
  readonly segments: number;
  readonly status: 'accepted' | 'failed';
  readonly errorCode: string | null;
  readonly at: Date;
}

export interface SimulatorOptions {
  readonly name?: string;
  /** How many sent and inbound messages to remember (each list). Default 1,000. */
  readonly historyLimit?: number;
  readonly failures?: readonly SimulatedFailure[];
  readonly clock?: () => Date;
}

/**
 * Default rules: numbers ending in 0001 do not exist (a permanent failure), numbers ending in
 * 0002 are throttled (a temporary one), so a demo shows both without configuration.
 */
export const DEFAULT_SIMULATED_FAILURES: readonly SimulatedFailure[] = Object.freeze([
  { suffix: '0001', errorCode: 'SIM_UNKNOWN_SUBSCRIBER', permanent: true },
  { suffix: '0002', errorCode: 'SIM_THROTTLED', permanent: false },
]);

function remember<T>(list: T[], item: T, limit: number): void {
  list.push(item);
  if (list.length > limit) list.splice(0, list.length - limit);
}

export class SimulatorCarrier implements Carrier {
  readonly name: string;
  private readonly limit: number;
  private readonly clock: () => Date;
  private failures: readonly SimulatedFailure[];
  private readonly sentLog: SimulatedMessage[] = [];
  private readonly inboundLog: InboundSms[] = [];
  private sequence = 0;
  private closed = false;

  constructor(options: SimulatorOptions = {}) {
    this.name = options.name ?? SIMULATOR_NAME;
    this.limit = Math.max(1, options.historyLimit ?? 1000);
    this.failures = options.failures ?? DEFAULT_SIMULATED_FAILURES;
    this.clock = options.clock ?? (() => new Date());
  }

  async send(message: OutgoingSms): Promise<SendResult> {
    if (this.closed) return { status: 'failed', errorCode: 'SIM_CLOSED', permanent: false };
    // The longest matching suffix wins, so a rule for 10001 can override one for 0001.
    const failure = [...this.failures]
      .sort((a, b) => b.suffix.length - a.suffix.length)
      .find((f) => message.to.endsWith(f.suffix));
    this.sequence += 1;
    const carrierMessageId = failure ? null : `sim-${this.sequence.toString().padStart(8, '0')}`;
    remember(
      this.sentLog,
      {
        messageId: message.messageId,
        carrierMessageId,
        to: message.to,
        body: message.body,
        purpose: message.purpose,
        segments: message.segments,
        status: failure ? 'failed' : 'accepted',
        errorCode: failure?.errorCode ?? null,
        at: this.clock(),
      },
      this.limit,
    );
    if (failure) {
      return { status: 'failed', errorCode: failure.errorCode, permanent: failure.permanent };
    }
    return { status: 'accepted', carrierMessageId: carrierMessageId! };
  }

  async close(): Promise<void> {
    this.closed = true;
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

  /** A recipient replies: the message Herald's inbound handling should receive. */
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
}

export function createSimulator(options: SimulatorOptions = {}): SimulatorCarrier {
  return new SimulatorCarrier(options);
}

export function isSimulator(carrier: Carrier | undefined): carrier is SimulatorCarrier {
  return carrier instanceof SimulatorCarrier;
}

/**
 * The SMPP 3.4 carrier: one bind_transceiver to an SMSC (smpp-link.ts keeps it up), submit_sm
 * through a window of unacknowledged requests at a rate an SMSC's throttling can lower
 * (smpp-pacer.ts), and deliver_sm receipts and MO messages pushed to subscribers (smpp-inbox.ts).
 *
 * send() resolves when the SMSC has answered every segment: accepted with the first segment's id
 * (the others are remembered, so the per-segment receipts fold into one), or failed. It never
 * decides whether a message may go; a message waits for a bind and a window slot for at most
 * `queueTimeoutMs`, then fails temporarily, so a dead SMSC shows as failures, not as a hang.
 */
import smpp from 'smpp';
import type { Carrier, CarrierListener, OutgoingSms, SendResult } from './carrier.js';
import { SmppInbox } from './smpp-inbox.js';
import { SmppLink } from './smpp-link.js';
import { destinationAddress, segmentForSmpp, sourceAddress } from './smpp-message.js';
import {
  SMPP_CARRIER_NAME,
  smppSettings,
  type SmppCarrierOptions,
  type SmppSettings,
} from './smpp-options.js';
import { SubmitPacer } from './smpp-pacer.js';
import { JobQueue } from './smpp-queue.js';
import { classifySmppStatus, smppStatusName, type SmppLocalError } from './smpp-status.js';
import type { Logger } from '../logger.js';

/** A message on its way: how many of its segments the SMSC took, and whom to tell. */
interface PendingMessage {
  readonly ids: string[];
  readonly total: number;
  accepted: number;
  settled: boolean;
  readonly resolve: (result: SendResult) => void;
}

interface SegmentJob {
  readonly message: PendingMessage;
  readonly index: number;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly queuedAt: number;
  retries: number;
}

/** What the carrier is doing, for health checks, metrics and tests. */
export interface SmppCarrierStatus {
  readonly bound: boolean;
  readonly binds: number;
  readonly inFlight: number;
  readonly queued: number;
  /** submit_sm per second allowed now (Infinity: unlimited). */
  readonly perSecond: number;
  readonly pausedForMs: number;
  readonly keptForListeners: number;
}

export class SmppCarrier implements Carrier {
  readonly name: string;
  private readonly config: SmppSettings;
  private readonly logger: Logger | undefined;
  private readonly link: SmppLink;
  private readonly pacer: SubmitPacer;
  private readonly inbox: SmppInbox;
  private readonly inFlight = new Map<number, { job: SegmentJob; sentAt: number }>();
  private readonly queue = new JobQueue<SegmentJob>();
  private reference: number;
  private pumpTimer: NodeJS.Timeout | null = null;
  /** A pump is due once the answers read in this turn are all settled. */
  private pumpSoon = false;
  private readonly sweepTimer: NodeJS.Timeout;
  private closing: Promise<void> | null = null;
  /** Sessions whose socket holds writes back until the current tick ends. */
  private readonly corked = new Set<smpp.Session>();

  constructor(options: SmppCarrierOptions) {
    this.name = options.name ?? SMPP_CARRIER_NAME;
    this.logger = options.logger;
    const config = smppSettings(options);
    this.config = config;
    this.reference = Math.floor(config.random() * 256);
    this.pacer = new SubmitPacer({
      maxPerSecond: config.maxPerSecond,
      minPerSecond: config.minPerSecond,
      backoffMs: config.throttleBackoffMs,
      maxBackoffMs: config.maxThrottleBackoffMs,
      recoveryMs: config.throttleRecoveryMs,
      random: config.random,
    });
    this.inbox = new SmppInbox({
      carrier: this.name,
      bufferLimit: config.bufferLimit,
      partIdLimit: 100_000,
      reassemblyLimit: 1_000,
      reassemblyMaxAgeMs: 5 * 60_000,
      clock: config.clock,
      logger: options.logger,
    });
    this.link = new SmppLink(
      { ...config, logger: options.logger },
      {
        onBound: () => this.pump(),
        onLost: () => this.lost(),
        onPdu: (pdu, session) => this.received(pdu, session),
      },
    );
    const every = Math.min(config.responseTimeoutMs, config.queueTimeoutMs) / 4;
    this.sweepTimer = setInterval(() => this.sweep(), Math.min(1_000, Math.max(10, every)));
    this.sweepTimer.unref();
    this.link.start();
  }

  send(message: OutgoingSms): Promise<SendResult> {
    if (this.closing) return Promise.resolve(failure('SMPP_CLOSED'));
    const destination = destinationAddress(message.to);
    if (!destination) {
      return Promise.resolve(permanent('ESME_RINVDSTADR', 'the destination is not E.164'));
    }
    if (message.body === '') return Promise.resolve(permanent('ESME_RINVMSGLEN', 'empty text'));
    const segments = segmentForSmpp(message.body, this.nextReference());
    if (this.queue.size + segments.length > this.config.maxQueued) {
      return Promise.resolve(failure('SMPP_QUEUE_FULL'));
    }
    const source = sourceAddress(message.sender ?? this.config.defaultSender);
    const queuedAt = Date.now();
    return new Promise<SendResult>((resolve) => {
      const pending: PendingMessage = {
        ids: [],
        total: segments.length,
        accepted: 0,
        settled: false,
        resolve,
      };
      segments.forEach((segment, index) => {
        const fields = {
          service_type: this.config.serviceType,
          source_addr_ton: source.ton,
          source_addr_npi: source.npi,
          source_addr: source.addr,
          dest_addr_ton: destination.ton,
          dest_addr_npi: destination.npi,
          destination_addr: destination.addr,
          esm_class: segment.esmClass,
          registered_delivery: 1, // a final receipt, delivered or not
          data_coding: segment.dataCoding,
          short_message: segment.shortMessage,
        };
        this.queue.push({ message: pending, index, fields, queuedAt, retries: 0 });
      });
      this.pump();
    });
  }

  subscribe(listener: CarrierListener): () => void {
    return this.inbox.subscribe(listener);
  }

  /** Waits (bounded) for answers in flight, unbinds, and stops reconnecting. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (let job = this.queue.shift(); job; job = this.queue.shift())
        this.fail(job.message, 'SMPP_CLOSED');
      const deadline = Date.now() + this.config.responseTimeoutMs;
      while (this.inFlight.size > 0 && Date.now() < deadline && this.link.isBound()) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      if (this.pumpTimer) clearTimeout(this.pumpTimer);
      clearInterval(this.sweepTimer);
      await this.link.close();
      this.lost();
      // Parts of split messages sent back to the queue while answers were awaited.
      for (let job = this.queue.shift(); job; job = this.queue.shift())
        this.fail(job.message, 'SMPP_CLOSED');
    })();
    return this.closing;
  }

  status(): SmppCarrierStatus {
    const pace = this.pacer.state(Date.now());
    return {
      bound: this.link.isBound(),
      binds: this.link.binds,
      inFlight: this.inFlight.size,
      queued: this.queue.size,
      perSecond: pace.perSecond,
      pausedForMs: pace.pausedForMs,
      keptForListeners: this.inbox.kept,
    };
  }

  private pump(): void {
    const session = this.link.current();
    if (!session || this.closing) return;
    // Everything this round goes out in as few TCP segments as it fits in.
    session.socket.cork();
    try {
      this.fill(session);
    } finally {
      session.socket.uncork();
    }
  }

  private fill(session: smpp.Session): void {
    while (this.queue.size > 0 && this.inFlight.size < this.config.window) {
      const now = Date.now();
      const wait = this.pacer.delay(now);
      if (wait > 0) {
        this.pumpTimer ??= setTimeout(() => {
          this.pumpTimer = null;
          this.pump();
        }, wait);
        return;
      }
      const job = this.queue.shift()!;
      if (job.message.settled) continue;
      const pdu = new smpp.PDU('submit_sm', job.fields);
      if (!session.send(pdu)) {
        // The socket is going away; the link will say so and the job waits for the next bind.
        this.queue.unshift(job);
        return;
      }
      this.inFlight.set(pdu.sequence_number, { job, sentAt: now });
      this.pacer.onSubmit(now);
    }
  }

  private received(pdu: smpp.PDU, session: smpp.Session): void {
    if (pdu.command === 'submit_sm_resp' || pdu.command === 'generic_nack') {
      const entry = this.inFlight.get(pdu.sequence_number);
      // An answer after its timeout: the message was already reported, as unknown.
      if (!entry) return;
      this.inFlight.delete(pdu.sequence_number);
      this.settle(entry.job, pdu.command_status, pdu.message_id ?? '');
      // The window refills once for the whole burst of answers read, in one write.
      if (!this.pumpSoon) {
        this.pumpSoon = true;
        process.nextTick(() => {
          this.pumpSoon = false;
          this.pump();
        });
      }
    } else if (pdu.command === 'deliver_sm') {
      // Acknowledged once the listeners have it recorded (or refused: delivered again later).
      const status = this.inbox.receive(pdu);
      if (typeof status === 'number') session.send(pdu.response({ command_status: status }));
      else void status.then((s) => this.acknowledge(session, pdu.response({ command_status: s })));
    } else if (!pdu.isResponse() && pdu.command !== 'alert_notification') {
      session.send(
        new smpp.PDU('generic_nack', {
          sequence_number: pdu.sequence_number,
          command_status: smpp.errors.ESME_RINVCMDID,
        }),
      );
    }
  }

  /**
   * A deliver_sm_resp for a receipt recorded with the rest of its batch: the whole batch's
   * answers are settled in one go, so they leave in as few TCP segments as they fit in (one
   * write each cost more than their encoding).
   */
  private acknowledge(session: smpp.Session, response: smpp.PDU): void {
    if (!this.corked.has(session)) {
      this.corked.add(session);
      session.socket.cork();
      process.nextTick(() => {
        this.corked.delete(session);
        session.socket.uncork();
      });
    }
    session.send(response);
  }

  private settle(job: SegmentJob, status: number, messageId: string): void {
    const message = job.message;
    if (message.settled) return;
    const kind = classifySmppStatus(status);
    if (kind === 'accepted') {
      message.ids[job.index] = messageId;
      message.accepted += 1;
      if (message.accepted < message.total) return;
      message.settled = true;
      this.inbox.rememberParts(message.ids);
      message.resolve({ status: 'accepted', carrierMessageId: message.ids[0]! });
      return;
    }
    if (kind === 'throttled') this.throttled(status);
    // A split message failed for a part would, when retried, send its other parts twice: a part
    // refused for now is tried again here, after the pacer's pause, a few times first.
    const retry = kind !== 'permanent' && message.total > 1 && !this.closing;
    if (retry && job.retries < this.config.partRetries) {
      job.retries += 1;
      this.queue.unshift(job);
      return;
    }
    this.fail(message, smppStatusName(status), kind === 'permanent');
  }

  private throttled(status: number): void {
    const now = Date.now();
    const before = this.pacer.state(now);
    const pauseMs = this.pacer.onThrottled(now);
    if (before.pausedForMs > 0) return;
    const perSecond = this.pacer.state(now).perSecond;
    this.logger?.warn(
      { carrier: this.name, status: smppStatusName(status), perSecond, pauseMs },
      'SMPP throttled: pausing and slowing down',
    );
  }

  /** The link dropped: answers to what is in flight will never come. */
  private lost(): void {
    for (const { job } of this.inFlight.values()) this.fail(job.message, 'SMPP_CONNECTION_LOST');
    this.inFlight.clear();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [sequence, { job, sentAt }] of this.inFlight) {
      if (now - sentAt < this.config.responseTimeoutMs) continue;
      this.inFlight.delete(sequence);
      this.fail(job.message, 'CARRIER_TIMEOUT');
    }
    for (let job = this.queue.peek(); job; job = this.queue.peek()) {
      if (!job.message.settled && now - job.queuedAt < this.config.queueTimeoutMs) break;
      this.queue.shift();
      this.fail(job.message, 'SMPP_UNAVAILABLE');
    }
    this.inbox.sweep(this.config.clock().getTime());
    this.pump();
  }

  private fail(message: PendingMessage, errorCode: string, isPermanent = false): void {
    if (message.settled) return;
    message.settled = true;
    message.resolve(isPermanent ? permanent(errorCode) : failure(errorCode));
  }

  private nextReference(): number {
    this.reference = (this.reference + 1) & 0xff;
    return this.reference;
  }
}

function failure(errorCode: SmppLocalError | string): SendResult {
  return { status: 'failed', errorCode, permanent: false };
}

function permanent(errorCode: string, detail?: string): SendResult {
  return { status: 'failed', errorCode, permanent: true, ...(detail ? { detail } : {}) };
}

export { SMPP_CARRIER_NAME, type SmppCarrierOptions };

/**
 * @example
 *   const carrier = createSmppCarrier({ host: '127.0.0.1', port: 2775, systemId: 'herald',
 *     password: 'secret', window: 10 });
 *   carrier.subscribe({ onReceipt: (r) => receipts.push(r), onInbound: (m) => inbox.push(m) });
 *   await carrier.send({ messageId: 1, to: '+8613912345678', body: '你好', ... });
 */
export function createSmppCarrier(options: SmppCarrierOptions): SmppCarrier {
  return new SmppCarrier(options);
}

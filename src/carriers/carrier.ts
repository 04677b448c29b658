/**
 * The Carrier interface: what Herald needs from any SMS provider (the simulator, SMPP, Twilio,
 * Tencent Cloud, Alibaba Cloud). A carrier submits one message and says whether it took it; it
 * never decides whether a message may go (the dispatcher does, at the moment of sending).
 * Carriers that call back over HTTP turn those requests into receipts and inbound messages.
 *
 * Carriers are built once at start-up into a name-keyed registry (AppContext.carriers).
 */
import type { Purpose } from '../core/policy/purposes.js';

/** One message handed to a carrier. The number is in clear here and nowhere else on the way. */
export interface OutgoingSms {
  /** Herald's message id: the carrier's idempotency reference where it has one. */
  readonly messageId: number;
  /** E.164. */
  readonly to: string;
  readonly body: string;
  readonly purpose: Purpose;
  readonly segments: number;
  readonly sender?: string;
  /**
   * The Herald template the body was rendered from, with the values of its variables. Carriers
   * that only send approved templates (Tencent, Alibaba) map it to their own template id and send
   * the values; carriers that send free text ignore it and send `body`.
   */
  readonly template?: {
    readonly key: string;
    readonly variables: Readonly<Record<string, string>>;
  };
}

/**
 * What the carrier said. `permanent` failures end the message (invalid number, blocked);
 * temporary ones (throttled, unavailable) may be retried later.
 */
export type SendResult =
  | { readonly status: 'accepted'; readonly carrierMessageId: string }
  | {
      readonly status: 'failed';
      readonly errorCode: string;
      readonly permanent: boolean;
      readonly detail?: string;
    };

/** An SMS someone sent to one of our numbers. */
export interface InboundSms {
  readonly carrier: string;
  /** E.164 (or as the carrier wrote it; the receiver parses it). */
  readonly from: string;
  readonly to?: string;
  readonly text: string;
  readonly receivedAt: Date;
  readonly carrierMessageId?: string;
}

export const RECEIPT_STATUSES = [
  'delivered',
  'undelivered',
  'failed',
  'expired',
  'unknown',
] as const;
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];

/** A delivery report for a message the carrier accepted earlier. */
export interface DeliveryReceipt {
  readonly carrier: string;
  readonly carrierMessageId: string;
  readonly status: ReceiptStatus;
  readonly errorCode?: string;
  /**
   * The carrier says the failure is the number's for good (unknown subscriber, not a mobile):
   * Herald counts a hard bounce against the contact. Absent: judged by the error code alone.
   */
  readonly permanent?: boolean;
  readonly at: Date;
}

/** A carrier's HTTP callback as the API received it, for signature checks and parsing. */
export interface CarrierRequest {
  readonly method: string;
  /** The full public URL the carrier called (signatures cover it). */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
  readonly rawBody?: string;
}

/**
 * Where a carrier that keeps its own connection (SMPP's deliver_sm) pushes what arrives on it.
 * Called synchronously; a listener that throws asks the carrier to have it redelivered later.
 * A listener that returns a promise is acknowledged to the carrier's peer only once it settles
 * (a rejection asks for redelivery): what a worker was still recording when it died is then
 * delivered again instead of lost (a receipt, an opt-out).
 */
export interface CarrierListener {
  // `unknown`: listeners that return something else (an array's push) are not awaited.
  onReceipt?(receipt: DeliveryReceipt): unknown;
  onInbound?(sms: InboundSms): unknown;
}

export interface Carrier {
  readonly name: string;
  send(message: OutgoingSms): Promise<SendResult>;
  /** Releases connections and timers; sends after close fail temporarily. */
  close(): Promise<void>;
  /** Webhook carriers: delivery reports in a callback (throws on a bad signature). */
  parseReceipts?(request: CarrierRequest): DeliveryReceipt[];
  /** Webhook carriers: inbound messages in a callback (throws on a bad signature). */
  parseInbound?(request: CarrierRequest): InboundSms[];
  /**
   * Push carriers: receipts and inbound messages as they arrive over the carrier's own
   * connection. What arrived before the first listener is kept (bounded) and handed to it.
   * Returns the function that unsubscribes.
   */
  subscribe?(listener: CarrierListener): () => void;
  /**
   * Carriers whose API takes many numbers per call (Tencent: 200): one result per message, in
   * order. Messages with the same content (template, variables, sender) share calls of up to
   * `maxBatchSize` numbers; the rest go in calls of their own.
   */
  sendBatch?(messages: readonly OutgoingSms[]): Promise<SendResult[]>;
  readonly maxBatchSize?: number;
  /** Webhook carriers: what to answer a callback that was parsed (the carrier's expected reply). */
  webhookReply?(kind: 'receipts' | 'inbound'): {
    readonly status: number;
    readonly contentType: string;
    readonly body: string;
  };
}

/** The carriers of this process, by name; one of them is the default route. */
export interface CarrierRegistry {
  readonly defaultName: string;
  get(name: string): Carrier | undefined;
  /** The carrier a message without a pinned carrier goes through. */
  default(): Carrier;
  names(): string[];
  close(): Promise<void>;
}

/**
 * @example
 *   const carriers = createCarrierRegistry([createSimulator()]);
 *   carriers.default().name; // 'simulator'
 */
export function createCarrierRegistry(
  carriers: readonly Carrier[],
  defaultName: string | undefined = carriers[0]?.name,
): CarrierRegistry {
  const byName = new Map<string, Carrier>();
  for (const carrier of carriers) {
    if (byName.has(carrier.name)) throw new Error(`two carriers are named ${carrier.name}`);
    byName.set(carrier.name, carrier);
  }
  const fallback = defaultName === undefined ? undefined : byName.get(defaultName);
  if (!fallback) throw new Error(`no carrier named ${String(defaultName)} to route through`);
  let closed: Promise<void> | null = null;
  return {
    defaultName: fallback.name,
    get: (name) => byName.get(name),
    default: () => fallback,
    names: () => [...byName.keys()],
    close: () => {
      closed ??= Promise.allSettled([...byName.values()].map((c) => c.close())).then(
        () => undefined,
      );
      return closed;
    },
  };
}

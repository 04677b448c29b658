/**
 * What an SMSC pushes over the bind: deliver_sm carrying a delivery receipt or a message from a
 * handset (MO). The inbox turns each into a DeliveryReceipt or an InboundSms for the listeners
 * and says which command_status the deliver_sm_resp should carry, once the listeners are done
 * with it: ESME_ROK, or ESME_RX_T_APPN ("temporary application error") when it cannot take the
 * message now, so that the SMSC delivers it again later instead of Herald dropping a receipt or
 * an opt-out. While nobody listens (a worker between its bind and its first dispatch run), a
 * bounded number are kept unanswered until a listener has them: an answer given before anyone
 * recorded them would lose them with the process.
 */
import type smpp from 'smpp';
import type { CarrierListener, DeliveryReceipt, InboundSms } from './carrier.js';
import {
  addressToString,
  concatenationOf,
  incomingBody,
  isReceipt,
  joinParts,
} from './smpp-message.js';
import { InboundReassembly, PartReceipts } from './smpp-parts.js';
import { parseSmppReceipt } from './smpp-receipt.js';
import type { Logger } from '../logger.js';

export const ESME_ROK = 0x00;
export const ESME_RX_T_APPN = 0x64;

type InboxEvent =
  | { readonly kind: 'receipt'; readonly receipt: DeliveryReceipt }
  | { readonly kind: 'inbound'; readonly sms: InboundSms };

/** An event kept for a listener to come; `answer` sends its deliver_sm_resp, if it has one. */
interface KeptEvent {
  readonly event: InboxEvent;
  readonly answer?: (status: number) => void;
}

export interface SmppInboxOptions {
  readonly carrier: string;
  /** Receipts and inbound messages kept while no listener is subscribed. */
  readonly bufferLimit: number;
  /** Split messages whose part ids are remembered for receipts. */
  readonly partIdLimit: number;
  /** Incomplete long MO messages kept, and for how long. */
  readonly reassemblyLimit: number;
  readonly reassemblyMaxAgeMs: number;
  readonly clock: () => Date;
  readonly logger?: Logger;
}

export class SmppInbox {
  private readonly listeners = new Set<CarrierListener>();
  private readonly buffer: KeptEvent[] = [];
  private readonly partReceipts: PartReceipts;
  private readonly reassembly: InboundReassembly;

  constructor(private readonly options: SmppInboxOptions) {
    this.partReceipts = new PartReceipts(options.partIdLimit);
    this.reassembly = new InboundReassembly(options.reassemblyLimit, options.reassemblyMaxAgeMs);
  }

  /**
   * Registers a listener and hands it what was kept (each deliver_sm answered once the listener
   * is done with it); returns the unsubscribe function.
   */
  subscribe(listener: CarrierListener): () => void {
    this.listeners.add(listener);
    const kept = this.buffer.splice(0, this.buffer.length);
    for (const { event, answer } of kept) {
      const status = this.deliver(event, [listener]);
      if (answer) void Promise.resolve(status).then(answer);
    }
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Remembers the segment ids of an accepted split message, so its receipts fold into one. */
  rememberParts(partIds: readonly string[]): void {
    this.partReceipts.remember(partIds);
  }

  /**
   * Handles one deliver_sm; returns the command_status for its deliver_sm_resp, or its promise
   * when a listener records what came asynchronously.
   */
  receive(pdu: smpp.PDU): number | Promise<number> {
    // Decide before any state changes: a refused deliver_sm comes again and must find it as it was.
    if (this.listeners.size === 0 && this.buffer.length >= this.options.bufferLimit) {
      this.options.logger?.warn(
        { carrier: this.options.carrier, kept: this.buffer.length },
        'SMPP deliver_sm refused for now: no listener and the buffer is full',
      );
      return ESME_RX_T_APPN;
    }
    const event = isReceipt(pdu.esm_class) ? this.receipt(pdu) : this.inbound(pdu);
    if (!event) return ESME_ROK;
    if (this.listeners.size === 0) {
      return new Promise<number>((answer) => this.keep({ event, answer }));
    }
    return this.deliver(event, [...this.listeners]);
  }

  /** Gives up on long MO messages whose parts stopped coming; hands on what arrived of them. */
  sweep(now: number): void {
    for (const partial of this.reassembly.sweep(now)) {
      this.emit({
        kind: 'inbound',
        sms: {
          carrier: this.options.carrier,
          from: partial.from,
          to: partial.to,
          text: joinParts(partial.parts, partial.dataCoding),
          receivedAt: this.options.clock(),
        },
      });
    }
  }

  get kept(): number {
    return this.buffer.length;
  }

  private receipt(pdu: smpp.PDU): InboxEvent | null {
    const body = incomingBody(pdu.short_message ?? pdu.message_payload);
    const parsed = parseSmppReceipt(body.text, {
      receiptedMessageId: pdu.receipted_message_id,
      messageState: pdu.message_state,
    });
    // Intermediate states (ENROUTE, ACCEPTD) and unreadable receipts are acknowledged and dropped.
    if (!parsed?.status) return null;
    const folded = this.partReceipts.fold(parsed.carrierMessageId, parsed.status);
    if (!folded) return null;
    const receipt: DeliveryReceipt = {
      carrier: this.options.carrier,
      carrierMessageId: folded.carrierMessageId,
      status: folded.status,
      at: parsed.doneAt ?? this.options.clock(),
      ...(parsed.errorCode === undefined ? {} : { errorCode: parsed.errorCode }),
      // Of a split message, the part whose outcome the folded receipt carries says it.
      permanent: parsed.permanent && folded.status === parsed.status,
    };
    return { kind: 'receipt', receipt };
  }

  private inbound(pdu: smpp.PDU): InboxEvent | null {
    let body = incomingBody(pdu.short_message);
    // Long MO messages may come whole in the message_payload TLV instead.
    if (body.text === '' && pdu.message_payload !== undefined) {
      body = incomingBody(pdu.message_payload);
    }
    const from = addressToString(pdu.source_addr ?? '', pdu.source_addr_ton);
    const to = addressToString(pdu.destination_addr ?? '', pdu.dest_addr_ton);
    const dataCoding = pdu.data_coding ?? 0;
    const concatenation = concatenationOf(body.udh, {
      ref: pdu.sar_msg_ref_num,
      total: pdu.sar_total_segments,
      seq: pdu.sar_segment_seqnum,
    });
    let text = body.text;
    if (concatenation) {
      const whole = this.reassembly.add(
        { from, to, dataCoding, text: body.text, ...concatenation },
        this.options.clock().getTime(),
      );
      if (!whole) return null;
      text = joinParts(whole.parts, whole.dataCoding);
    }
    const sms: InboundSms = {
      carrier: this.options.carrier,
      from,
      to,
      text,
      receivedAt: this.options.clock(),
    };
    return { kind: 'inbound', sms };
  }

  /** An event without a deliver_sm of its own (a long MO message given up on, see sweep). */
  private emit(event: InboxEvent): void {
    if (this.listeners.size === 0) this.keep({ event });
    else void this.deliver(event, [...this.listeners]);
  }

  private keep(kept: KeptEvent): void {
    this.buffer.push(kept);
    // sweep() may add beyond the limit; the oldest go, as a bound must hold (the SMSC is asked
    // to deliver theirs again).
    if (this.buffer.length > this.options.bufferLimit)
      this.buffer.shift()!.answer?.(ESME_RX_T_APPN);
  }

  private deliver(
    event: InboxEvent,
    listeners: readonly CarrierListener[],
  ): number | Promise<number> {
    let status = ESME_ROK;
    const pending: Promise<void>[] = [];
    const failed = (error: unknown) => {
      this.options.logger?.error(
        { carrier: this.options.carrier, err: error, kind: event.kind },
        'SMPP listener failed: asking the SMSC to deliver again',
      );
      status = ESME_RX_T_APPN;
    };
    for (const listener of listeners) {
      try {
        const handled =
          event.kind === 'receipt'
            ? listener.onReceipt?.(event.receipt)
            : listener.onInbound?.(event.sms);
        if (handled instanceof Promise) pending.push(handled.then(() => undefined, failed));
      } catch (error) {
        failed(error);
      }
    }
    return pending.length === 0 ? status : Promise.all(pending).then(() => status);
  }
}

/**
 * The contract every carrier passes against its local fake (test/fakes). A carrier's test file
 * calls `runCarrierContract(name, setup)`; setup starts the fake on 127.0.0.1 and builds the
 * carrier pointed at it. The fake offers the same small API whatever the protocol, so one set of
 * cases covers SMPP, the HTTP carriers and the simulator alike.
 *
 * Receipts and inbound messages reach Herald in one of two ways: push carriers (SMPP) deliver
 * them over their own connection to `carrier.subscribe` listeners; webhook carriers are called
 * back over HTTP, so their fake returns the CarrierRequest the API would receive, and the contract
 * hands it to `carrier.parseReceipts` / `parseInbound`.
 *
 * Optional parts of the fake API switch on optional cases: `stallNext` (a submission that never
 * gets an answer must end as a temporary CARRIER_TIMEOUT within the carrier's own timeout) and
 * `forgeries` (webhook carriers must reject callbacks that were not signed with their secret or
 * were altered after signing). Template carriers (Tencent, Alibaba) send approved templates, not
 * free text: their setup's `prepare` attaches the template that carries the contract's text.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type {
  Carrier,
  CarrierRequest,
  DeliveryReceipt,
  InboundSms,
  OutgoingSms,
  ReceiptStatus,
} from '../../src/carriers/carrier.js';
import { inspectText } from '../../src/core/content/encoding.js';

/** The failures every fake can produce on request. */
export const FAKE_FAILURES = ['permanent', 'transient'] as const;
export type FakeFailure = (typeof FAKE_FAILURES)[number];

/** A message as it arrived at the fake: decoded, and put back together if it came in parts. */
export interface FakeSentMessage {
  /** E.164. */
  readonly to: string;
  readonly text: string;
  /** Requests (submit_sm, HTTP calls) it arrived in. */
  readonly parts: number;
  /** The id the fake answered with (for parts: the first part's). */
  readonly carrierMessageId: string;
  /** The sender or signature the message went out under, where the protocol names one. */
  readonly sender?: string;
  /** Template carriers: the approved template and the values of its variables. */
  readonly template?: {
    readonly id: string;
    readonly params: readonly string[] | Readonly<Record<string, string>>;
  };
}

export interface CarrierFake {
  /** Accepted messages, oldest first. */
  sent(): readonly FakeSentMessage[];
  /** Makes the next submission fail so. */
  failNext(kind: FakeFailure): void;
  /**
   * Reports an outcome for a message the fake accepted. Push fakes send it over the carrier's
   * connection and resolve once the carrier acknowledged it; webhook fakes return the callback.
   */
  deliverReceipt(carrierMessageId: string, status: ReceiptStatus): Promise<CarrierRequest | void>;
  /** A handset sends a message to Herald's number (same two ways). */
  injectInbound(from: string, text: string): Promise<CarrierRequest | void>;
  /**
   * Makes the next submission hang without an answer (until the fake closes). Fakes that offer
   * it get the stall case: the carrier's timeout (short in tests) turns it into CARRIER_TIMEOUT.
   */
  stallNext?(): void;
  /**
   * Webhook fakes: variants of a genuine callback the carrier must refuse (unsigned, signed with
   * another secret, altered after signing, ...). Each must make parseReceipts / parseInbound throw.
   */
  forgeries?(genuine: CarrierRequest): readonly CarrierRequest[];
  close(): Promise<void>;
}

export const LONG_MESSAGE_HANDLING = ['segments', 'one-request'] as const;
export type LongMessageHandling = (typeof LONG_MESSAGE_HANDLING)[number];

export interface CarrierContractSetup {
  readonly carrier: Carrier;
  readonly fake: CarrierFake;
  /** How a long text reaches the fake: split by the carrier (SMPP), or whole. Default whole. */
  readonly longMessages?: LongMessageHandling;
  /**
   * Turns the contract's plain message into what this carrier sends (template carriers attach
   * a template whose variable is the text). Default: the message as it is.
   */
  readonly prepare?: (sms: OutgoingSms) => OutgoingSms;
}

const TO = '+8613912345678';
const GSM_TEXT = 'Herald: your code is 428913 @ £5 {ok} [A] ~ € ^ | \\ Grüße';
const UCS2_TEXT = '【Herald】您的验证码是428913，5分钟内有效。回复TD退订';
const LONG_GSM_TEXT = Array.from({ length: 9 }, (_, i) => `Line ${i + 1} of a long notice.`)
  .join(' ')
  .repeat(2);
const LONG_UCS2_TEXT = '订单已发货，预计明天送达。如有问题请回复。😀'.repeat(6);

type ParseCallback = (request: CarrierRequest) => readonly unknown[];

let nextMessageId = 1;

/** An OutgoingSms as the dispatcher would hand it over. */
export function outgoing(body: string, to = TO): OutgoingSms {
  return {
    messageId: nextMessageId++,
    to,
    body,
    purpose: 'transactional',
    segments: inspectText(body).segments,
  };
}

/** Receipts and inbound messages a carrier hands back, whichever way it gets them. */
function collector(carrier: Carrier) {
  const receipts: DeliveryReceipt[] = [];
  const inbound: InboundSms[] = [];
  carrier.subscribe?.({
    onReceipt: (receipt) => receipts.push(receipt),
    onInbound: (sms) => inbound.push(sms),
  });
  return {
    receipts,
    inbound,
    take(request: CarrierRequest | void): void {
      if (!request) return;
      receipts.push(...(carrier.parseReceipts?.(request) ?? []));
      inbound.push(...(carrier.parseInbound?.(request) ?? []));
    },
  };
}

export function runCarrierContract(name: string, setup: () => Promise<CarrierContractSetup>): void {
  describe(`carrier contract: ${name}`, () => {
    let ctx: CarrierContractSetup;
    let got: ReturnType<typeof collector>;

    beforeEach(async () => {
      ctx = await setup();
      got = collector(ctx.carrier);
    });

    afterEach(async () => {
      await ctx.carrier.close();
      await ctx.fake.close();
    });

    const message = (body: string): OutgoingSms => {
      const sms = outgoing(body);
      return ctx.prepare ? ctx.prepare(sms) : sms;
    };

    const accepted = async (body: string): Promise<string> => {
      const result = await ctx.carrier.send(message(body));
      expect(result).toMatchObject({ status: 'accepted' });
      return result.status === 'accepted' ? result.carrierMessageId : '';
    };

    it('accepts a GSM-7 message, which arrives with exactly that text for that number', async () => {
      const id = await accepted(GSM_TEXT);
      expect(ctx.fake.sent()).toMatchObject([
        { to: TO, text: GSM_TEXT, parts: 1, carrierMessageId: id },
      ]);
    });

    it('delivers a Chinese (UCS-2) message intact', async () => {
      await accepted(UCS2_TEXT);
      expect(ctx.fake.sent().map((m) => m.text)).toEqual([UCS2_TEXT]);
    });

    it('delivers long messages whole, in parts where the protocol splits them', async () => {
      for (const text of [LONG_GSM_TEXT, LONG_UCS2_TEXT]) {
        const id = await accepted(text);
        const arrived = ctx.fake.sent().find((m) => m.carrierMessageId === id);
        const parts = ctx.longMessages === 'segments' ? inspectText(text).segments : 1;
        expect(arrived).toMatchObject({ to: TO, text, parts, carrierMessageId: id });
      }
      expect(inspectText(LONG_GSM_TEXT).segments).toBeGreaterThan(2);
      expect(inspectText(LONG_UCS2_TEXT).segments).toBeGreaterThan(2);
    });

    it('reports a permanent failure as permanent', async () => {
      ctx.fake.failNext('permanent');
      const result = await ctx.carrier.send(message('Hello'));
      expect(result).toMatchObject({ status: 'failed', permanent: true });
      expect(ctx.fake.sent()).toEqual([]);
    });

    it('reports a transient failure as temporary, and the next message goes', async () => {
      ctx.fake.failNext('transient');
      expect(await ctx.carrier.send(message('Hello'))).toMatchObject({
        status: 'failed',
        permanent: false,
      });
      await accepted('Hello again');
      expect(ctx.fake.sent().map((m) => m.text)).toEqual(['Hello again']);
    });

    it('ends a submission that gets no answer as a temporary CARRIER_TIMEOUT (skipped where the fake cannot stall)', async ({
      skip,
    }) => {
      if (!ctx.fake.stallNext) skip('the fake cannot stall');
      ctx.fake.stallNext!();
      expect(await ctx.carrier.send(message('Anyone there?'))).toMatchObject({
        status: 'failed',
        errorCode: 'CARRIER_TIMEOUT',
        permanent: false,
      });
      await accepted('Hello again');
      expect(ctx.fake.sent().map((m) => m.text)).toContain('Hello again');
    });

    it('turns receipts into DeliveryReceipts with the id the message was accepted under', async () => {
      const delivered = await accepted('Your parcel is on its way');
      const lost = await accepted('Your parcel was delivered');
      got.take(await ctx.fake.deliverReceipt(delivered, 'delivered'));
      got.take(await ctx.fake.deliverReceipt(lost, 'undelivered'));
      await vi.waitFor(() => expect(got.receipts).toHaveLength(2));
      const byId = new Map(got.receipts.map((r) => [r.carrierMessageId, r]));
      expect(byId.get(delivered)).toMatchObject({ carrier: ctx.carrier.name, status: 'delivered' });
      expect(byId.get(lost)).toMatchObject({ carrier: ctx.carrier.name, status: 'undelivered' });
      expect(byId.get(delivered)!.at).toBeInstanceOf(Date);
    });

    it('turns a message from a handset into an InboundSms', async () => {
      got.take(await ctx.fake.injectInbound('+447700900123', 'STOP 退订'));
      await vi.waitFor(() => expect(got.inbound).toHaveLength(1));
      expect(got.inbound[0]).toMatchObject({
        carrier: ctx.carrier.name,
        from: '+447700900123',
        text: 'STOP 退订',
      });
      expect(got.inbound[0]!.receivedAt).toBeInstanceOf(Date);
    });

    it('refuses forged or altered callbacks (webhook carriers; skipped for connection carriers)', async ({
      skip,
    }) => {
      if (!ctx.fake.forgeries) skip('not a webhook carrier');
      const id = await accepted('Your parcel is on its way');
      const { carrier, fake } = ctx;
      expect(carrier.parseReceipts).toBeTypeOf('function');
      expect(carrier.parseInbound).toBeTypeOf('function');
      const receipt = await fake.deliverReceipt(id, 'delivered');
      const inbound = await fake.injectInbound(TO, 'STOP');
      const callbacks: [ParseCallback, CarrierRequest | void][] = [
        [(request) => carrier.parseReceipts!(request), receipt],
        [(request) => carrier.parseInbound!(request), inbound],
      ];
      for (const [read, genuine] of callbacks) {
        if (!genuine) throw new Error('a webhook fake returns the callback it made');
        expect(read(genuine)).toHaveLength(1);
        const forged = fake.forgeries!(genuine);
        expect(forged.length).toBeGreaterThan(0);
        for (const request of forged) expect(() => read(request)).toThrow();
      }
    });

    it('closes cleanly, and a send after close fails temporarily', async () => {
      await accepted('Before close');
      await ctx.carrier.close();
      await ctx.carrier.close();
      expect(await ctx.carrier.send(message('After close'))).toMatchObject({
        status: 'failed',
        permanent: false,
      });
      expect(ctx.fake.sent().map((m) => m.text)).toEqual(['Before close']);
    });
  });
}

/**
 * A fake SMSC speaking real SMPP 3.4 over TCP on 127.0.0.1 (the smpp package's server), for the
 * SMPP carrier's tests and the dispatch benchmark. It authenticates binds, answers submit_sm with
 * message ids, records every submission decoded (text, addresses, data_coding, UDH), sends
 * delivery receipts (deliver_sm) on request or automatically, injects MO messages, and has fault
 * knobs: throttling, transient errors, stalls, rejected destinations, dropped connections.
 *
 * It decodes and splits with the library's own coders and hand-written UDH, not with Herald's
 * src/carriers/smpp-message.ts, so a mistake there cannot hide itself on both sides of the wire.
 * It imports nothing from vitest: the benchmark runs it outside the test runner.
 */
import smpp from 'smpp';
import type { AddressInfo } from 'node:net';
import type { ReceiptStatus } from '../../src/carriers/carrier.js';
import type { CarrierFake, FakeSentMessage } from '../carriers/contract.js';

/** What the next submit_sm can be made to meet (see failNext). */
export const SMSC_FAULTS = ['permanent', 'transient', 'throttle', 'stall'] as const;
export type SmscFault = (typeof SMSC_FAULTS)[number];

const STATUS = {
  ok: 0x00,
  notBound: 0x04,
  sysErr: 0x08,
  invalidDestination: 0x0b,
  bindFailed: 0x0d,
  throttled: 0x58,
} as const;

/** Tries of one deliver_sm (each refusal or lost answer costs one) before the fake drops it. */
const MAX_DELIVERIES = 20;

const RECEIPT_STAT: Record<ReceiptStatus, { stat: string; state: number; err: string }> = {
  delivered: { stat: 'DELIVRD', state: 2, err: '000' },
  undelivered: { stat: 'UNDELIV', state: 5, err: '001' },
  expired: { stat: 'EXPIRED', state: 3, err: '000' },
  failed: { stat: 'REJECTD', state: 8, err: '002' },
  unknown: { stat: 'UNKNOWN', state: 7, err: '000' },
};

/** One submit_sm as the fake saw it. */
export interface SmscSubmission {
  /** E.164 built from destination_addr (which carries no '+'). */
  readonly to: string;
  readonly destinationAddr: string;
  readonly destTon: number;
  readonly destNpi: number;
  readonly source: string;
  readonly sourceTon: number;
  readonly sourceNpi: number;
  readonly dataCoding: number;
  readonly esmClass: number;
  readonly registeredDelivery: number;
  readonly text: string;
  readonly concat: { reference: number; total: number; part: number } | null;
  /** The answered command_status; null while unanswered (or stalled for good). */
  status: number | null;
  messageId: string | null;
  readonly at: Date;
}

export interface SmscFaults {
  /** Share of submissions answered ESME_RTHROTTLED. */
  readonly throttleFraction: number;
  /** Submissions accepted per second before the rest of that second is throttled. */
  readonly throttlePerSecond: number;
  /** Share answered ESME_RSYSERR. */
  readonly transientFraction: number;
  /** Share never answered. */
  readonly stallFraction: number;
  /** E.164 numbers answered ESME_RINVDSTADR. */
  readonly rejectDestinations: readonly string[];
  /** Delay before each submit_sm_resp. */
  readonly responseDelayMs: number;
}

export interface FakeSmscOptions {
  readonly systemId?: string;
  readonly password?: string;
  /** Automatic receipts after each accepted submission (per segment, as SMSCs do). */
  readonly receipts?: {
    readonly delayMs: number;
    readonly outcome?: (submission: SmscSubmission) => ReceiptStatus;
  };
  /** Add receipted_message_id and message_state TLVs to receipts (default true). */
  readonly receiptTlvs?: boolean;
  readonly faults?: Partial<SmscFaults>;
  /** Submissions remembered (the oldest go first). Default 100,000. */
  readonly recordLimit?: number;
  readonly random?: () => number;
  /**
   * Draws the faults from this seed, per submission of a message: the n-th submit_sm of the same
   * text to the same number meets the same fault in every run, whatever the order of arrival.
   */
  readonly seed?: number;
  /**
   * How long a receipt or MO message waits for a bound ESME before it is dropped (counted in
   * deliverDrops). Default 5 s.
   */
  readonly holdForBindMs?: number;
  /** How long a deliver_sm waits for its deliver_sm_resp before it is sent again. Default 5 s. */
  readonly deliverTimeoutMs?: number;
  /** Most deliver_sm awaiting their answer at once; the rest wait here (default: no limit). */
  readonly deliverWindow?: number;
}

export interface SmscCounts {
  connections: number;
  binds: number;
  bindRejections: number;
  unbinds: number;
  submits: number;
  accepted: number;
  throttled: number;
  transient: number;
  rejected: number;
  stalled: number;
  enquireLinks: number;
  delivers: number;
  deliverRefusals: number;
  /** Receipts and MO messages given up: no bind within holdForBindMs, or refused every time. */
  deliverDrops: number;
  /** Most submit_sm received and not yet answered at one time. */
  maxInFlight: number;
  /** deliver_sm the ESME answered with status 0 (a receipt or MO message it took). */
  deliverAcks: number;
}

const NO_FAULTS: SmscFaults = Object.freeze({
  throttleFraction: 0,
  throttlePerSecond: Infinity,
  transientFraction: 0,
  stallFraction: 0,
  rejectDestinations: [],
  responseDelayMs: 0,
});

interface Peer {
  readonly session: smpp.Session;
  bound: boolean;
}

export class FakeSmsc implements CarrierFake {
  private readonly server: smpp.Server;
  private readonly peers = new Set<Peer>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly records: SmscSubmission[] = [];
  private readonly byId = new Map<string, SmscSubmission>();
  /** Answers chosen ahead for the next submissions; null: answer as the knobs say. */
  private readonly oneShot: (SmscFault | null)[] = [];
  private readonly counters: SmscCounts = {
    connections: 0,
    binds: 0,
    bindRejections: 0,
    unbinds: 0,
    submits: 0,
    accepted: 0,
    throttled: 0,
    transient: 0,
    rejected: 0,
    stalled: 0,
    enquireLinks: 0,
    delivers: 0,
    deliverRefusals: 0,
    deliverDrops: 0,
    maxInFlight: 0,
    deliverAcks: 0,
  };
  private faults: SmscFaults;
  private inFlight = 0;
  private nextId = 0;
  private second = { start: 0, accepted: 0 };
  private closed = false;
  port = 0;

  /** deliver_sm awaiting their answer, and those waiting for a slot (deliverWindow). */
  private delivering = 0;
  private readonly deliverWaiters: (() => void)[] = [];
  /** How often each text was submitted to each number (for seeded faults). */
  private readonly seen = new Map<string, number>();
  /** Automatic receipts waiting for their time, oldest first (one timer for all of them). */
  private readonly dueReceipts: { at: number; messageId: string; outcome: ReceiptStatus }[] = [];
  private receiptTimer: NodeJS.Timeout | null = null;
  /** Sessions whose socket holds writes back until this turn of the event loop ends. */
  private readonly corked = new Set<smpp.Session>();

  private constructor(private readonly options: FakeSmscOptions) {
    this.faults = { ...NO_FAULTS, ...options.faults };
    this.server = smpp.createServer({}, (session) => this.accept(session));
  }

  static async start(options: FakeSmscOptions = {}): Promise<FakeSmsc> {
    const fake = new FakeSmsc(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(0, '127.0.0.1', () => resolve());
    });
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  setFaults(faults: Partial<SmscFaults>): void {
    this.faults = { ...this.faults, ...faults };
  }

  /** The contract's stall case: the next submission never gets an answer. */
  stallNext(): void {
    this.failNext('stall');
  }

  /** The next submission (or the one after `after` more) meets this fault. */
  failNext(kind: SmscFault, after = 0): void {
    for (let i = 0; i < after; i++) this.oneShot.push(null);
    this.oneShot.push(kind);
  }

  counts(): Readonly<SmscCounts> {
    return { ...this.counters };
  }

  /** Every submit_sm received, oldest first (bounded by recordLimit). */
  submissions(): readonly SmscSubmission[] {
    return [...this.records];
  }

  sent(): readonly FakeSentMessage[] {
    const done: { first: number; message: FakeSentMessage }[] = [];
    const open = new Map<string, { first: number; parts: SmscSubmission[] }>();
    this.records.forEach((record, index) => {
      if (record.status !== STATUS.ok || record.messageId === null) return;
      if (!record.concat) {
        const message = { to: record.to, text: record.text, parts: 1, ...senderOf(record) };
        done.push({ first: index, message: { ...message, carrierMessageId: record.messageId } });
        return;
      }
      const key = `${record.to}|${record.concat.reference}|${record.concat.total}`;
      let group = open.get(key);
      if (!group || group.parts.some((p) => p.concat!.part === record.concat!.part)) {
        group = { first: index, parts: [] };
        open.set(key, group);
      }
      group.parts.push(record);
      if (group.parts.length < record.concat.total) return;
      open.delete(key);
      const parts = group.parts.sort((a, b) => a.concat!.part - b.concat!.part);
      done.push({
        first: group.first,
        message: {
          to: record.to,
          text: parts.map((p) => p.text).join(''),
          parts: parts.length,
          carrierMessageId: parts[0]!.messageId!,
          ...senderOf(record),
        },
      });
    });
    return done.sort((a, b) => a.first - b.first).map((d) => d.message);
  }

  /** Sends a receipt for the submission (any part) that was answered with this id. */
  async deliverReceipt(carrierMessageId: string, status: ReceiptStatus): Promise<void> {
    const submission = this.byId.get(carrierMessageId);
    const outcome = RECEIPT_STAT[status];
    const stamp = (date: Date) => date.toISOString().replace(/\D/g, '').slice(2, 12);
    const delivered = status === 'delivered' ? '001' : '000';
    const text =
      `id:${carrierMessageId} sub:001 dlvrd:${delivered} ` +
      `submit date:${stamp(submission?.at ?? new Date())} done date:${stamp(new Date())} ` +
      `stat:${outcome.stat} err:${outcome.err} text:${(submission?.text ?? '').slice(0, 20)}`;
    const tlvs =
      this.options.receiptTlvs === false
        ? {}
        : { receipted_message_id: carrierMessageId, message_state: outcome.state };
    await this.deliver({
      source_addr_ton: 1,
      source_addr_npi: 1,
      source_addr: submission?.destinationAddr ?? '',
      dest_addr_ton: submission?.sourceTon ?? 0,
      dest_addr_npi: submission?.sourceNpi ?? 0,
      destination_addr: submission?.source ?? '',
      esm_class: 0x04,
      data_coding: 0,
      short_message: gsmEncode(text),
      ...tlvs,
    });
  }

  /**
   * A handset sends `text` to `to`; a long text goes as concatenated parts (8-bit reference),
   * `reversed` sends them last part first.
   */
  async injectInbound(
    from: string,
    text: string,
    options: { to?: string; order?: 'in-order' | 'reversed' } = {},
  ): Promise<void> {
    const gsm = smpp.encodings.ASCII.match(text);
    const bytes = gsm ? smpp.gsmCoder.encode(text, 0) : smpp.encodings.UCS2.encode(text);
    const single = gsm ? 160 : 140;
    const address = {
      source_addr_ton: 1,
      source_addr_npi: 1,
      source_addr: from.replace(/^\+/, ''),
      dest_addr_ton: 0,
      dest_addr_npi: 1,
      destination_addr: options.to ?? '10690',
      data_coding: gsm ? 0 : 8,
    };
    if (bytes.length <= single) {
      await this.deliver({ ...address, esm_class: 0, short_message: bytes });
      return;
    }
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length;) {
      let end = Math.min(bytes.length, at + (gsm ? 153 : 134));
      // An escape stays with the character it announces.
      if (gsm && end < bytes.length && bytes[end - 1] === 0x1b) end -= 1;
      chunks.push(bytes.subarray(at, end));
      at = end;
    }
    const reference = (this.nextId * 7 + 3) & 0xff;
    const pdus = chunks.map((chunk, i) => ({
      ...address,
      esm_class: 0x40,
      short_message: Buffer.concat([
        Buffer.from([5, 0, 3, reference, chunks.length, i + 1]),
        chunk,
      ]),
    }));
    if (options.order === 'reversed') pdus.reverse();
    for (const pdu of pdus) await this.deliver(pdu);
  }

  /** Sends enquire_link on every bound session; resolves with how many answered in time. */
  async enquireLink(timeoutMs = 2_000): Promise<number> {
    const answers = [...this.peers]
      .filter((peer) => peer.bound)
      .map(
        (peer) =>
          new Promise<boolean>((resolve) => {
            const timer = this.later(timeoutMs, () => resolve(false));
            this.send(peer.session, new smpp.PDU('enquire_link', {}), () => {
              clearTimeout(timer);
              resolve(true);
            });
          }),
      );
    return (await Promise.all(answers)).filter(Boolean).length;
  }

  /** Cuts every connection, as an SMSC restart or a network fault would. */
  dropConnections(): void {
    for (const peer of this.peers) peer.session.destroy();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.receiptTimer) clearTimeout(this.receiptTimer);
    this.dueReceipts.length = 0;
    for (const waiting of this.deliverWaiters.splice(0)) waiting();
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(session: smpp.Session): void {
    // Answers go out at once, not held back by Nagle's algorithm for the ESME's delayed ACK.
    session.socket.setNoDelay(true);
    // Every deliver_sm awaiting its answer watches for the connection going away.
    session.setMaxListeners(0);
    const peer: Peer = { session, bound: false };
    this.peers.add(peer);
    this.counters.connections += 1;
    session.on('error', () => undefined);
    session.on('close', () => this.peers.delete(peer));
    const bind = (pdu: smpp.PDU) => this.bind(peer, pdu);
    session.on('bind_transceiver', bind);
    session.on('bind_transmitter', bind);
    session.on('bind_receiver', bind);
    session.on('submit_sm', (pdu: smpp.PDU) => this.submit(peer, pdu));
    session.on('enquire_link', (pdu: smpp.PDU) => {
      this.counters.enquireLinks += 1;
      this.send(session, pdu.response());
    });
    session.on('unbind', (pdu: smpp.PDU) => {
      this.counters.unbinds += 1;
      peer.bound = false;
      session.send(pdu.response(), () => session.close());
    });
  }

  private bind(peer: Peer, pdu: smpp.PDU): void {
    const { systemId = 'herald', password = 'secret' } = this.options;
    if (this.closed || pdu.system_id !== systemId || pdu.password !== password) {
      this.counters.bindRejections += 1;
      this.send(peer.session, pdu.response({ command_status: STATUS.bindFailed }));
      return;
    }
    peer.bound = true;
    this.counters.binds += 1;
    this.send(peer.session, pdu.response({ system_id: 'fake-smsc' }));
  }

  private submit(peer: Peer, pdu: smpp.PDU): void {
    this.counters.submits += 1;
    const record = this.record(pdu);
    if (!peer.bound) {
      this.answer(peer, pdu, record, STATUS.notBound);
      return;
    }
    const planned = this.oneShot.shift();
    const fault = planned === undefined ? this.chooseFault(record) : planned;
    if (fault === 'stall') {
      this.counters.stalled += 1;
      return;
    }
    this.inFlight += 1;
    this.counters.maxInFlight = Math.max(this.counters.maxInFlight, this.inFlight);
    const status =
      fault === 'permanent'
        ? STATUS.invalidDestination
        : fault === 'transient'
          ? STATUS.sysErr
          : fault === 'throttle'
            ? STATUS.throttled
            : STATUS.ok;
    const respond = () => {
      this.inFlight -= 1;
      this.answer(peer, pdu, record, status);
    };
    if (this.faults.responseDelayMs > 0) this.later(this.faults.responseDelayMs, respond);
    else respond();
  }

  private chooseFault(record: SmscSubmission): SmscFault | null {
    const random = this.drawsFor(record);
    const f = this.faults;
    if (f.rejectDestinations.includes(record.to)) return 'permanent';
    if (f.stallFraction > 0 && random() < f.stallFraction) return 'stall';
    const now = Date.now();
    if (now - this.second.start >= 1000) this.second = { start: now, accepted: 0 };
    if (this.second.accepted >= f.throttlePerSecond) return 'throttle';
    if (f.throttleFraction > 0 && random() < f.throttleFraction) return 'throttle';
    if (f.transientFraction > 0 && random() < f.transientFraction) return 'transient';
    this.second.accepted += 1;
    return null;
  }

  private drawsFor(record: SmscSubmission): () => number {
    const { seed, random } = this.options;
    if (random || seed === undefined) return random ?? Math.random;
    const key = `${record.to}|${record.text}`;
    const nth = this.seen.get(key) ?? 0;
    this.seen.set(key, nth + 1);
    return seededRandom(hash32(`${seed}|${key}|${nth}`));
  }

  private answer(peer: Peer, pdu: smpp.PDU, record: SmscSubmission, status: number): void {
    record.status = status;
    if (status === STATUS.throttled) this.counters.throttled += 1;
    else if (status === STATUS.sysErr) this.counters.transient += 1;
    else if (status !== STATUS.ok) this.counters.rejected += 1;
    if (status !== STATUS.ok) {
      this.send(peer.session, pdu.response({ command_status: status }));
      return;
    }
    this.counters.accepted += 1;
    this.nextId += 1;
    const messageId = `F${this.nextId.toString(16).toUpperCase().padStart(9, '0')}`;
    record.messageId = messageId;
    this.byId.set(messageId, record);
    this.send(peer.session, pdu.response({ message_id: messageId }));
    const receipts = this.options.receipts;
    if (receipts) {
      const outcome = receipts.outcome?.(record) ?? 'delivered';
      this.dueReceipts.push({ at: Date.now() + receipts.delayMs, messageId, outcome });
      if (!this.receiptTimer) this.scheduleReceipts();
    }
  }

  /** Sends the automatic receipts whose time came, then waits for the next one's. */
  private scheduleReceipts(): void {
    const next = this.dueReceipts[0];
    if (!next || this.closed) {
      this.receiptTimer = null;
      return;
    }
    this.receiptTimer = setTimeout(
      () => {
        const now = Date.now();
        let due = 0;
        while (due < this.dueReceipts.length && this.dueReceipts[due]!.at <= now) due += 1;
        for (const { messageId, outcome } of this.dueReceipts.splice(0, due)) {
          void this.deliverReceipt(messageId, outcome);
        }
        this.scheduleReceipts();
      },
      Math.max(0, next.at - Date.now()),
    );
  }

  /**
   * Sends a PDU; what a session is sent in one turn of the event loop (the answers to a burst of
   * submit_sm, a round of receipts) leaves in as few TCP segments as it fits in.
   */
  private send(
    session: smpp.Session,
    pdu: smpp.PDU,
    onResponse?: (pdu: smpp.PDU) => void,
  ): boolean {
    if (!this.corked.has(session)) {
      this.corked.add(session);
      session.socket.cork();
      setImmediate(() => {
        this.corked.delete(session);
        session.socket.uncork();
      });
    }
    return session.send(pdu, onResponse);
  }

  private record(pdu: smpp.PDU): SmscSubmission {
    const body = pdu.short_message as { message?: string | Buffer; udh?: Buffer[] } | undefined;
    const concatElement = body?.udh?.find((e) => e[0] === 0x00 && e[1] === 3);
    const destinationAddr = pdu.destination_addr ?? '';
    const record: SmscSubmission = {
      to: `+${destinationAddr}`,
      destinationAddr,
      destTon: pdu.dest_addr_ton ?? 0,
      destNpi: pdu.dest_addr_npi ?? 0,
      source: pdu.source_addr ?? '',
      sourceTon: pdu.source_addr_ton ?? 0,
      sourceNpi: pdu.source_addr_npi ?? 0,
      dataCoding: pdu.data_coding ?? 0,
      esmClass: pdu.esm_class ?? 0,
      registeredDelivery: pdu.registered_delivery ?? 0,
      text: typeof body?.message === 'string' ? body.message : '',
      concat: concatElement
        ? { reference: concatElement[2]!, total: concatElement[3]!, part: concatElement[4]! }
        : null,
      status: null,
      messageId: null,
      at: new Date(),
    };
    this.records.push(record);
    const limit = this.options.recordLimit ?? 100_000;
    if (this.records.length > limit) {
      const [oldest] = this.records.splice(0, this.records.length - limit);
      if (oldest?.messageId) this.byId.delete(oldest.messageId);
    }
    return record;
  }

  /**
   * Sends a deliver_sm and resolves once the ESME acknowledged it. Like a store-and-forward SMSC
   * it waits (a while) for a bind when none is up, and tries again after a refusal (any non-zero
   * deliver_sm_resp).
   */
  private async deliver(fields: Record<string, unknown>): Promise<void> {
    for (let attempt = 1; attempt <= MAX_DELIVERIES && !this.closed; attempt++) {
      // The bind is chosen when the deliver_sm goes out, not before it waited for the window:
      // one that waited while its bind died goes to another bind instead of failing on it.
      if (!this.takeDeliverSlot()) await this.deliverSlot();
      const peer = this.firstBoundPeer() ?? (await this.boundPeer());
      if (!peer) {
        this.releaseDeliverSlot();
        this.counters.deliverDrops += 1;
        return;
      }
      this.counters.delivers += 1;
      const status = await new Promise<number>((resolve) => {
        const done = (code: number) => {
          clearTimeout(timer);
          peer.session.off('close', lost);
          resolve(code);
        };
        // No answer in time, or the connection went away first: delivered again.
        const lost = () => done(-1);
        const timer = this.later(this.options.deliverTimeoutMs ?? 5_000, lost);
        peer.session.on('close', lost);
        const sent = this.send(peer.session, new smpp.PDU('deliver_sm', { ...fields }), (resp) =>
          done(resp.command_status),
        );
        if (!sent) done(-1);
      }).finally(() => this.releaseDeliverSlot());
      if (status === 0) {
        this.counters.deliverAcks += 1;
        return;
      }
      this.counters.deliverRefusals += 1;
      await new Promise<void>((resolve) => this.later(100, resolve));
    }
    if (!this.closed) this.counters.deliverDrops += 1;
  }

  /** Takes a deliver_sm slot when one is free at once. */
  private takeDeliverSlot(): boolean {
    if (this.delivering >= (this.options.deliverWindow ?? Infinity)) return false;
    this.delivering += 1;
    return true;
  }

  private async deliverSlot(): Promise<void> {
    if (this.takeDeliverSlot()) return;
    await new Promise<void>((resolve) => this.deliverWaiters.push(resolve));
  }

  private firstBoundPeer(): Peer | undefined {
    for (const peer of this.peers) if (peer.bound) return peer;
    return undefined;
  }

  private releaseDeliverSlot(): void {
    const next = this.deliverWaiters.shift();
    if (next) next();
    else this.delivering -= 1;
  }

  private async boundPeer(): Promise<Peer | null> {
    const hold = this.options.holdForBindMs ?? 5_000;
    for (let waited = 0; waited < hold && !this.closed; waited += 20) {
      const peer = this.firstBoundPeer();
      if (peer) return peer;
      await new Promise<void>((resolve) => this.later(20, resolve));
    }
    return null;
  }

  private later(ms: number, run: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
    return timer;
  }
}

/** Characters whose GSM 03.38 code is their ASCII code (the receipts' text is mostly these). */
const GSM_AS_ASCII = /^[ !"#%&'()*+,\-./0-9:;<=>?A-Za-z]*$/;

/** GSM 03.38 bytes of a text, unpacked: the library's coder, but not for plain ASCII. */
function gsmEncode(text: string): Buffer {
  return GSM_AS_ASCII.test(text) ? Buffer.from(text, 'latin1') : smpp.gsmCoder.encode(text, 0);
}

function senderOf(record: SmscSubmission): { sender?: string } {
  return record.source === '' ? {} : { sender: record.source };
}

/** FNV-1a, 32 bits. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** mulberry32: a small, fast generator of uniform numbers in [0, 1) from a 32-bit seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

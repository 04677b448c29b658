/**
 * Concatenated messages in both directions. Outgoing: an SMSC sends one receipt per segment,
 * each with that segment's id, while Herald knows the message by its first segment's id, so the
 * receipts of a split message are folded into one (as Kannel does): the first bad outcome at
 * once, or `delivered` when every part was. Incoming: parts of a long MO message arrive one by
 * one, in any order, and are joined once all are there.
 *
 * Both keep state only for split messages, bounded by count and (for MO parts) by age.
 */
import type { ReceiptStatus } from './carrier.js';

interface ReceiptGroup {
  readonly primaryId: string;
  readonly pending: Set<string>;
  reported: boolean;
}

/** The outcome to report for a message, once a part's receipt is in. */
export interface FoldedReceipt {
  readonly carrierMessageId: string;
  readonly status: ReceiptStatus;
  /** True when this receipt was for a part and is reported under the first part's id. */
  readonly folded: boolean;
}

export class PartReceipts {
  private readonly byPartId = new Map<string, ReceiptGroup>();

  constructor(private readonly limit: number) {}

  /** Remembers the ids of a split message's segments, the first being the message's id. */
  remember(partIds: readonly string[]): void {
    if (partIds.length < 2) return;
    const group: ReceiptGroup = {
      primaryId: partIds[0]!,
      pending: new Set(partIds),
      reported: false,
    };
    for (const id of partIds) this.byPartId.set(id, group);
    // Maps iterate in insertion order: the oldest parts go first when over the limit.
    for (const id of this.byPartId.keys()) {
      if (this.byPartId.size <= this.limit) break;
      this.byPartId.delete(id);
    }
  }

  /**
   * Folds a part's outcome into its message's. Null when nothing is to be reported yet (more
   * parts to come, or the message's outcome already went out).
   */
  fold(partId: string, status: ReceiptStatus): FoldedReceipt | null {
    const group = this.byPartId.get(partId);
    if (!group) return { carrierMessageId: partId, status, folded: false };
    group.pending.delete(partId);
    this.byPartId.delete(partId);
    if (group.reported) return null;
    if (status !== 'delivered' || group.pending.size === 0) {
      group.reported = true;
      return { carrierMessageId: group.primaryId, status, folded: true };
    }
    return null;
  }

  get size(): number {
    return this.byPartId.size;
  }
}

/** One part of a long incoming message. */
export interface InboundPart {
  readonly from: string;
  readonly to: string;
  readonly reference: number;
  readonly total: number;
  readonly part: number;
  readonly text: string;
  readonly dataCoding: number;
  readonly carrierMessageId?: string;
}

/** A long incoming message put back together (or what arrived of it before it was given up). */
export interface AssembledInbound {
  readonly from: string;
  readonly to: string;
  readonly parts: readonly string[];
  readonly dataCoding: number;
  readonly complete: boolean;
  readonly carrierMessageId?: string;
}

interface PartGroup {
  readonly first: InboundPart;
  readonly texts: (string | undefined)[];
  received: number;
  readonly startedAt: number;
}

export class InboundReassembly {
  private readonly groups = new Map<string, PartGroup>();

  constructor(
    private readonly limit: number,
    private readonly maxAgeMs: number,
  ) {}

  /** Adds a part; the whole message when it was the last one missing. */
  add(part: InboundPart, now: number): AssembledInbound | null {
    if (part.total < 2 || part.part < 1 || part.part > part.total) {
      return { ...part, parts: [part.text], complete: part.total < 2 };
    }
    const key = `${part.from}\u0000${part.to}\u0000${part.reference}\u0000${part.total}`;
    let group = this.groups.get(key);
    if (!group) {
      group = { first: part, texts: new Array(part.total), received: 0, startedAt: now };
      this.groups.set(key, group);
    }
    if (group.texts[part.part - 1] === undefined) group.received += 1;
    group.texts[part.part - 1] = part.text;
    if (group.received < part.total) return null;
    this.groups.delete(key);
    return assembled(group, true);
  }

  /**
   * Gives up on messages whose parts stopped coming (too old, or too many waiting) and returns
   * what arrived of them: a partial "STOP" is still an opt-out, and a lost reply helps nobody.
   */
  sweep(now: number): AssembledInbound[] {
    const given: AssembledInbound[] = [];
    for (const [key, group] of this.groups) {
      const stale = now - group.startedAt >= this.maxAgeMs;
      if (!stale && this.groups.size <= this.limit) break;
      this.groups.delete(key);
      given.push(assembled(group, false));
    }
    return given;
  }

  get size(): number {
    return this.groups.size;
  }
}

function assembled(group: PartGroup, complete: boolean): AssembledInbound {
  const { from, to, dataCoding, carrierMessageId } = group.first;
  const parts = group.texts.filter((text): text is string => text !== undefined);
  return { from, to, parts, dataCoding, complete, carrierMessageId };
}

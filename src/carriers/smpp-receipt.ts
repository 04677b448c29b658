/**
 * SMPP delivery receipts: the de-facto text format of SMPP 3.4 appendix B
 * ("id:IIII sub:001 dlvrd:001 submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DELIVRD err:000
 * text:...") and the receipted_message_id / message_state TLVs that 3.4 SMSCs add. Where both are
 * present the TLVs win: SMSCs are known to print the id in the text in another base (decimal vs
 * hex) than the one they answered submit_sm with, and the TLV is the one that matches.
 */
import type { ReceiptStatus } from './carrier.js';

/** The stat values of the receipt text. */
export const SMPP_RECEIPT_STATS = [
  'DELIVRD',
  'EXPIRED',
  'DELETED',
  'UNDELIV',
  'ACCEPTD',
  'UNKNOWN',
  'REJECTD',
  'ENROUTE',
] as const;
export type SmppReceiptStat = (typeof SMPP_RECEIPT_STATS)[number];

/**
 * Null: not an outcome. ENROUTE is intermediate; ACCEPTD is treated the same, because SMSCs send
 * it as "taken by the network" and the final receipt follows it (registered_delivery 1).
 */
const STAT_STATUS: Record<SmppReceiptStat, ReceiptStatus | null> = {
  DELIVRD: 'delivered',
  UNDELIV: 'undelivered',
  EXPIRED: 'expired',
  REJECTD: 'failed',
  DELETED: 'failed',
  UNKNOWN: 'unknown',
  ACCEPTD: null,
  ENROUTE: null,
};

/** message_state TLV values (SMPP 3.4 section 5.2.28), as the same outcomes. */
const MESSAGE_STATE_STATUS: Readonly<Record<number, ReceiptStatus | null>> = {
  0: null, // SCHEDULED
  1: null, // ENROUTE
  2: 'delivered',
  3: 'expired',
  4: 'failed', // DELETED
  5: 'undelivered',
  6: null, // ACCEPTED
  7: 'unknown',
  8: 'failed', // REJECTED
  9: 'failed', // SKIPPED
};

/** The fields of a receipt, as far as the SMSC gave them. */
export interface ParsedReceipt {
  readonly carrierMessageId: string;
  /** Null when the receipt is not an outcome (ENROUTE, ACCEPTD) or its stat is unreadable. */
  readonly status: ReceiptStatus | null;
  readonly stat: string | null;
  /** The err field when it says something (not all zeros). */
  readonly errorCode: string | undefined;
  readonly doneAt: Date | undefined;
  /**
   * The SMSC says the number cannot get SMS for good: a hard bounce for hygiene. REJECTD always;
   * UNDELIV unless its err names a passing condition (phone off, busy, memory full); EXPIRED,
   * DELETED and UNKNOWN never (the number may well be fine).
   */
  readonly permanent: boolean;
}

/**
 * GSM MAP error causes (3GPP TS 29.002) that SMSCs put in `err`, where they say something about the
 * number's future: these pass, so an UNDELIV with one of them is no hard bounce.
 */
export const SMPP_TRANSIENT_ERRS = [
  '006', // absent subscriber (SM)
  '027', // absent subscriber
  '031', // subscriber busy for MT-SMS
  '032', // SM delivery failure (e.g. memory capacity exceeded)
  '034', // system failure
  '035', // data missing
  '036', // unexpected data value
] as const;

/**
 * @example
 *   isPermanentReceipt('UNDELIV', '001'); // true: unknown subscriber
 *   isPermanentReceipt('UNDELIV', '27');  // false: absent subscriber (phone off)
 *   isPermanentReceipt('EXPIRED', '001'); // false
 */
export function isPermanentReceipt(stat: string | null, err: string | undefined): boolean {
  if (stat === 'REJECTD') return true;
  if (stat !== 'UNDELIV') return false;
  const code = err && /^\d+$/.test(err) ? err.padStart(3, '0').slice(-3) : err;
  return !(SMPP_TRANSIENT_ERRS as readonly (string | undefined)[]).includes(code);
}

const FIELD = /\b(id|sub|dlvrd|submit[ _]date|done[ _]date|stat|err|text)\s*:/gi;

/**
 * Reads the key:value fields of a receipt text; `text:` takes the rest of the line.
 *
 * @example
 *   receiptFields('id:7 sub:001 stat:DELIVRD err:000 text:Hi there');
 *   // { id: '7', sub: '001', stat: 'DELIVRD', err: '000', text: 'Hi there' }
 */
export function receiptFields(text: string): Record<string, string> {
  const matches = [...text.matchAll(FIELD)];
  const fields: Record<string, string> = {};
  for (let i = 0; i < matches.length; i++) {
    const match = matches[i]!;
    const key = match[1]!.toLowerCase().replace('_', ' ');
    const start = match.index + match[0].length;
    if (key === 'text') {
      fields[key] = text.slice(start).trim();
      break;
    }
    const end = matches[i + 1]?.index ?? text.length;
    fields[key] ??= text.slice(start, end).trim();
  }
  return fields;
}

/**
 * A receipt's "done date" (yyMMddhhmm or yyMMddhhmmss) read as UTC, which is what SMSCs that do
 * not say otherwise mean; undefined when it is not a valid date.
 *
 * @example
 *   parseReceiptDate('2603021015');   // 2026-03-02T10:15:00Z
 *   parseReceiptDate('260302101542'); // 2026-03-02T10:15:42Z
 */
export function parseReceiptDate(value: string | undefined): Date | undefined {
  const match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$/.exec(value ?? '');
  if (!match) return undefined;
  const [yy, mm, dd, hh, mi, ss] = match.slice(1).map((part) => Number(part ?? 0)) as number[];
  const date = new Date(Date.UTC(2000 + yy!, mm! - 1, dd!, hh!, mi!, ss!));
  // Date.UTC rolls 2602301000 over into March; an impossible date is no date.
  if (date.getUTCMonth() !== mm! - 1 || date.getUTCDate() !== dd! || hh! > 23 || mi! > 59) {
    return undefined;
  }
  return date;
}

function statOf(value: string | undefined): SmppReceiptStat | null {
  const stat = value?.toUpperCase();
  return (SMPP_RECEIPT_STATS as readonly string[]).includes(stat ?? '')
    ? (stat as SmppReceiptStat)
    : null;
}

/**
 * The receipt in a deliver_sm: its text and the TLVs when present. Null without any message id.
 *
 * @example
 *   parseSmppReceipt('id:abc sub:001 dlvrd:001 submit date:2603021000 done date:2603021001 ' +
 *     'stat:UNDELIV err:001 text:Hello', {});
 *   // { carrierMessageId: 'abc', status: 'undelivered', stat: 'UNDELIV', errorCode: '001', ... }
 */
export function parseSmppReceipt(
  text: string,
  tlvs: { receiptedMessageId?: string | undefined; messageState?: number | undefined },
): ParsedReceipt | null {
  const fields = receiptFields(text);
  const carrierMessageId = (tlvs.receiptedMessageId ?? '').trim() || fields.id;
  if (!carrierMessageId) return null;
  const stat = statOf(fields.stat);
  const fromState =
    tlvs.messageState === undefined ? undefined : MESSAGE_STATE_STATUS[tlvs.messageState];
  const status = fromState !== undefined ? fromState : stat ? STAT_STATUS[stat] : null;
  const err = fields.err;
  const errorCode = err && !/^0+$/.test(err) ? err : undefined;
  // The message_state TLV, where given, wins over the text's stat (as for the status).
  const effectiveStat =
    fromState === 'undelivered'
      ? 'UNDELIV'
      : tlvs.messageState === 8
        ? 'REJECTD'
        : fromState !== undefined
          ? null
          : stat;
  return {
    carrierMessageId,
    status,
    stat: stat ?? fields.stat ?? null,
    errorCode,
    doneAt: parseReceiptDate(fields['done date']),
    permanent: status !== null && isPermanentReceipt(effectiveStat, errorCode),
  };
}

/**
 * SMPP 3.4 message bodies and addresses: how Herald's text becomes submit_sm segments (data_coding,
 * UDH concatenation) and how a deliver_sm's bytes become text again.
 *
 * The split follows src/core/content/encoding.ts, so the carrier sends exactly the segments the
 * editor counted and billed. GSM-7 goes out unpacked, one septet per octet, which is what SMPP
 * means by data_coding 0 (the SMSC packs it for the air interface); the smpp package's GSM 03.38
 * coder does the table work, including the escape for extension characters.
 */
import smpp from 'smpp';
import { inspectText, SEGMENT_CAPACITY } from '../core/content/encoding.js';

/** The two data_coding values Herald sends: the SMSC default alphabet (GSM-7) and UCS-2. */
export const SMPP_DATA_CODING = { 'GSM-7': 0x00, 'UCS-2': 0x08 } as const;
export type SmppDataCoding = (typeof SMPP_DATA_CODING)[keyof typeof SMPP_DATA_CODING];

/** esm_class bit saying short_message starts with a user data header. */
export const ESM_CLASS_UDHI = 0x40;
/** esm_class message-type bits: an SMSC delivery receipt, and an intermediate notification. */
export const ESM_CLASS_RECEIPT = 0x04;
export const ESM_CLASS_INTERMEDIATE = 0x20;
const ESM_CLASS_TYPE_MASK = 0x3c;

const TON = { unknown: 0, international: 1, network: 3, alphanumeric: 5 } as const;
const NPI = { unknown: 0, isdn: 1 } as const;

/** One submit_sm's worth of a message. */
export interface SmppSegment {
  readonly dataCoding: SmppDataCoding;
  readonly esmClass: number;
  /** UDH (when concatenated) followed by the encoded text. */
  readonly shortMessage: Buffer;
  /** 1-based. */
  readonly part: number;
  readonly total: number;
}

/**
 * Splits a text into submit_sm segments; a long one gets the 8-bit concatenation header
 * (IEI 0x00: reference, total, sequence) on every part.
 *
 * @example
 *   segmentForSmpp('Hello', 7); // [{ dataCoding: 0, esmClass: 0, part: 1, total: 1, ... }]
 *   segmentForSmpp('你'.repeat(100), 7).length; // 2, each with UDH 05 00 03 07 02 0n
 */
export function segmentForSmpp(text: string, reference: number): SmppSegment[] {
  const single = singleSegmentCoding(text);
  if (single !== null) {
    const shortMessage =
      single === SMPP_DATA_CODING['GSM-7'] ? gsm7(text) : smpp.encodings.UCS2.encode(text);
    return [{ dataCoding: single, esmClass: 0, shortMessage, part: 1, total: 1 }];
  }
  const inspection = inspectText(text);
  const dataCoding = SMPP_DATA_CODING[inspection.encoding];
  const encode = (part: string) =>
    dataCoding === SMPP_DATA_CODING['GSM-7'] ? gsm7(part) : smpp.encodings.UCS2.encode(part);
  const texts = inspection.segmentTexts;
  if (texts.length <= 1) {
    return [{ dataCoding, esmClass: 0, shortMessage: encode(text), part: 1, total: 1 }];
  }
  return texts.map((part, index) => ({
    dataCoding,
    esmClass: ESM_CLASS_UDHI,
    shortMessage: Buffer.concat([
      Buffer.from([0x05, 0x00, 0x03, reference & 0xff, texts.length, index + 1]),
      encode(part),
    ]),
    part: index + 1,
    total: texts.length,
  }));
}

const GSM_EXTENSION = /[\f^{}\\[~\]|€]/g;

/** Characters whose GSM 03.38 code (unpacked, one per octet) is their ASCII code. */
const GSM_AS_ASCII = /^[\n\r !"#%&'()*+,\-./0-9:;<=>?A-Za-z]*$/;

/**
 * GSM 03.38 octets of a text. Plain ASCII letters, digits and punctuation (most texts) are their
 * own codes; anything else goes through the package's table (12 µs a text: it builds a RegExp
 * and an array of codes every time).
 */
function gsm7(text: string): Buffer {
  return GSM_AS_ASCII.test(text) ? Buffer.from(text, 'latin1') : smpp.gsmCoder.encode(text, 0);
}

/**
 * The coding of a text that fits one segment, or null when it needs the full inspection. Most
 * messages are short, and inspectText (grapheme clusters, smart-encoding suggestions) costs more
 * than the whole rest of a submission; this gives the same answer for them from the package's
 * GSM 03.38 table, which agrees with sms-segments-calculator's character for character except
 * for a bare escape (0x1B), left to the full inspection.
 */
function singleSegmentCoding(text: string): SmppDataCoding | null {
  if (text.includes('\u001b')) return null;
  if (smpp.encodings.ASCII.match(text)) {
    const septets = text.length + (text.match(GSM_EXTENSION)?.length ?? 0);
    return septets <= SEGMENT_CAPACITY['GSM-7'].single ? SMPP_DATA_CODING['GSM-7'] : null;
  }
  return text.length <= SEGMENT_CAPACITY['UCS-2'].single ? SMPP_DATA_CODING['UCS-2'] : null;
}

/** An address with its type of number and numbering plan. */
export interface SmppAddress {
  readonly ton: number;
  readonly npi: number;
  readonly addr: string;
}

/**
 * The destination: always international (TON 1, NPI 1 ISDN), digits without '+'. Null when the
 * number is not E.164, which no retry can fix.
 *
 * @example
 *   destinationAddress('+8613912345678'); // { ton: 1, npi: 1, addr: '8613912345678' }
 */
export function destinationAddress(e164: string): SmppAddress | null {
  if (!/^\+[1-9]\d{5,14}$/.test(e164)) return null;
  return { ton: TON.international, npi: NPI.isdn, addr: e164.slice(1) };
}

/**
 * The sender: alphanumeric (TON 5, NPI 0), a long number in international form (TON 1, NPI 1) or
 * a short code (TON 3 network-specific, NPI 0). An empty sender leaves it to the SMSC.
 *
 * @example
 *   sourceAddress('Herald');       // { ton: 5, npi: 0, addr: 'Herald' }
 *   sourceAddress('+447700900123'); // { ton: 1, npi: 1, addr: '447700900123' }
 *   sourceAddress('10690');         // { ton: 3, npi: 0, addr: '10690' }
 */
export function sourceAddress(sender: string | undefined): SmppAddress {
  const value = (sender ?? '').trim();
  if (value === '') return { ton: TON.unknown, npi: NPI.unknown, addr: '' };
  const digits = value.replace(/^\+/, '');
  if (!/^\d+$/.test(digits)) return { ton: TON.alphanumeric, npi: NPI.unknown, addr: value };
  // Short codes are at most 8 digits; anything longer is a full number.
  if (value.startsWith('+') || digits.length > 8) {
    return { ton: TON.international, npi: NPI.isdn, addr: digits };
  }
  return { ton: TON.network, npi: NPI.unknown, addr: digits };
}

/**
 * An address as Herald writes numbers: international ones as E.164, anything else as received.
 *
 * @example
 *   addressToString('8613912345678', 1); // '+8613912345678'
 */
export function addressToString(addr: string, ton: number | undefined): string {
  const digits = addr.replace(/^\+/, '');
  if ((ton === TON.international || addr.startsWith('+')) && /^\d+$/.test(digits)) {
    return `+${digits}`;
  }
  return addr;
}

/** Whether a deliver_sm carries a delivery receipt (or an intermediate notification). */
export function isReceipt(esmClass: number | undefined): boolean {
  const type = (esmClass ?? 0) & ESM_CLASS_TYPE_MASK;
  return type === ESM_CLASS_RECEIPT || type === ESM_CLASS_INTERMEDIATE;
}

/** Where a part sits in a concatenated message; `reference` is unique per sender, not global. */
export interface ConcatenationInfo {
  readonly reference: number;
  readonly total: number;
  readonly part: number;
}

/**
 * The concatenation header among a message's UDH elements (8-bit IEI 0x00 or 16-bit IEI 0x08),
 * or, without one, the SAR TLVs. Null for a message that stands alone.
 */
export function concatenationOf(
  udh: readonly Buffer[] | undefined,
  sar?: { ref?: number; total?: number; seq?: number },
): ConcatenationInfo | null {
  for (const element of udh ?? []) {
    if (element[0] === 0x00 && element[1] === 3 && element.length >= 5) {
      return { reference: element[2]!, total: element[3]!, part: element[4]! };
    }
    if (element[0] === 0x08 && element[1] === 4 && element.length >= 6) {
      return { reference: element.readUInt16BE(2), total: element[4]!, part: element[5]! };
    }
  }
  if (sar?.ref !== undefined && sar.total !== undefined && sar.seq !== undefined) {
    return { reference: sar.ref, total: sar.total, part: sar.seq };
  }
  return null;
}

/** The text and UDH of a decoded short_message (or message_payload). */
export interface IncomingBody {
  readonly text: string;
  readonly udh: readonly Buffer[] | undefined;
}

/**
 * What the library decoded, as text. It decodes per data_coding already; a coding it has no coder
 * for (8-bit binary) leaves bytes, which are read as Latin-1 rather than dropped.
 */
export function incomingBody(value: unknown): IncomingBody {
  if (typeof value === 'string') return { text: value, udh: undefined };
  if (Buffer.isBuffer(value)) return { text: value.toString('latin1'), udh: undefined };
  if (typeof value === 'object' && value !== null && 'message' in value) {
    const { message, udh } = value as { message: unknown; udh?: Buffer[] };
    const text = Buffer.isBuffer(message) ? message.toString('latin1') : String(message ?? '');
    return { text, udh };
  }
  return { text: '', udh: undefined };
}

/**
 * Joins the decoded parts of a concatenated message. GSM-7 text is re-coded once joined, so an
 * escape an SMSC split from its character across two parts still becomes that character.
 */
export function joinParts(parts: readonly string[], dataCoding: number): string {
  const joined = parts.join('');
  if ((dataCoding & 0x0f) !== SMPP_DATA_CODING['GSM-7']) return joined;
  return smpp.gsmCoder.decode(smpp.gsmCoder.encode(joined, 0), 0);
}

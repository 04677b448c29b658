/**
 * What an SMSC's command_status means for a message: accepted, worth another try later, or final.
 *
 * Only statuses about the message itself (its addresses, coding, content, permission) are
 * permanent. Everything else, including vendor-specific codes (0x400-0x4FF) that mean anything
 * from "busy" to "no credit", is temporary: the dispatcher bounds retries, and calling a message
 * dead on a code we cannot read would lose it for good.
 */
import smpp from 'smpp';

/** Statuses that ask the sender to slow down as well as fail the message for now. */
export const SMPP_THROTTLE_STATUSES = [
  0x58, // ESME_RTHROTTLED
  0x14, // ESME_RMSGQFUL
] as const;

/** Statuses that no retry can fix. */
export const SMPP_PERMANENT_STATUSES = [
  0x01, // ESME_RINVMSGLEN
  0x07, // ESME_RINVREGDLVFLG
  0x0a, // ESME_RINVSRCADR
  0x0b, // ESME_RINVDSTADR
  0x15, // ESME_RINVSERTYP
  0x33, // ESME_RINVNUMDESTS
  0x43, // ESME_RINVESMCLASS
  0x48, // ESME_RINVSRCTON
  0x49, // ESME_RINVSRCNPI
  0x50, // ESME_RINVDSTTON
  0x51, // ESME_RINVDSTNPI
  0x62, // ESME_RINVEXPIRY
  0x65, // ESME_RX_P_APPN
  0x66, // ESME_RX_R_APPN
  0xc0, // ESME_RINVTLVSTREAM
  0xc1, // ESME_RTLVNOTALLWD
  0xc2, // ESME_RINVTLVLEN
  0xc4, // ESME_RINVTLVVAL
  0x100, // ESME_RSERTYPUNAUTH
  0x101, // ESME_RPROHIBITED
  0x103, // ESME_RSERTYPDENIED
  0x104, // ESME_RINVDCS
] as const;

/** Failures the carrier itself reports, before or without an SMSC answer. All temporary. */
export const SMPP_LOCAL_ERRORS = [
  'CARRIER_TIMEOUT', // no submit_sm_resp in time: the outcome is unknown
  'SMPP_CONNECTION_LOST', // the link dropped with the submit_sm unanswered: outcome unknown
  'SMPP_UNAVAILABLE', // not bound for as long as a message may wait
  'SMPP_QUEUE_FULL', // more messages waiting than the carrier keeps
  'SMPP_CLOSED', // the carrier was closed
] as const;
export type SmppLocalError = (typeof SMPP_LOCAL_ERRORS)[number];

const statusNames = new Map<number, string>(
  Object.entries(smpp.errors).map(([name, code]) => [code, name]),
);

/**
 * The name an SMSC status goes by in Herald's records.
 *
 * @example
 *   smppStatusName(0x0b);  // 'ESME_RINVDSTADR'
 *   smppStatusName(0x401); // 'SMPP_0x00000401'
 */
export function smppStatusName(status: number): string {
  return statusNames.get(status) ?? `SMPP_0x${status.toString(16).padStart(8, '0')}`;
}

export type SmppStatusClass = 'accepted' | 'throttled' | 'permanent' | 'temporary';

/**
 * @example
 *   classifySmppStatus(0x00); // 'accepted'
 *   classifySmppStatus(0x58); // 'throttled'
 *   classifySmppStatus(0x0b); // 'permanent'
 *   classifySmppStatus(0x08); // 'temporary' (ESME_RSYSERR)
 */
export function classifySmppStatus(status: number): SmppStatusClass {
  if (status === 0) return 'accepted';
  if ((SMPP_THROTTLE_STATUSES as readonly number[]).includes(status)) return 'throttled';
  if ((SMPP_PERMANENT_STATUSES as readonly number[]).includes(status)) return 'permanent';
  return 'temporary';
}

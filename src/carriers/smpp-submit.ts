/**
 * submit_sm encoded by Herald rather than by the smpp package. The package builds a PDU object
 * field by field, runs every field through its filters and sizes and writes each through a
 * lookup of its type table: about 12 µs a submission, the largest share of the carrier's own
 * work in the dispatcher (bench/README.md, "dispatch: third pass"). The fields Herald sends are
 * always the same ones, so this writes them directly: the same bytes as the package's
 * `new PDU('submit_sm', fields).toBuffer()` (test/carriers/smpp-submit.test.ts compares them).
 *
 * `SubmitSmPdu` is what the package's `Session.send` needs of a PDU (it numbers the PDU, then
 * asks for its bytes); the answer, submit_sm_resp, is read by the package as before.
 */
import type smpp from 'smpp';

/** The submit_sm fields Herald sets (the others keep their SMPP defaults: 0 or empty). */
export interface SubmitSmFields {
  readonly service_type: string;
  readonly source_addr_ton: number;
  readonly source_addr_npi: number;
  readonly source_addr: string;
  readonly dest_addr_ton: number;
  readonly dest_addr_npi: number;
  readonly destination_addr: string;
  readonly esm_class: number;
  readonly registered_delivery: number;
  readonly data_coding: number;
  /** Already encoded (smpp-message.ts), UDH included. */
  readonly short_message: Buffer;
}

const SUBMIT_SM = 0x00000004;
const HEADER = 16;

/**
 * The PDU's bytes. C-octet strings are written as the package writes them (one byte a UTF-16
 * code unit, `latin1`): Herald's addresses and service types are ASCII.
 */
export function encodeSubmitSm(fields: SubmitSmFields, sequence: number): Buffer {
  const { service_type, source_addr, destination_addr, short_message } = fields;
  // sm_length is one octet (the package's writeUInt8 throws the same way).
  if (short_message.length > 0xff) throw new RangeError('short_message longer than 255 octets');
  // 3 C-strings + 2 empty time strings (their NULs), 12 one-octet fields, sm_length, the text.
  const length =
    HEADER +
    service_type.length +
    1 +
    source_addr.length +
    1 +
    destination_addr.length +
    1 +
    2 +
    11 +
    1 +
    short_message.length;
  const buffer = Buffer.allocUnsafe(length);
  buffer.writeUInt32BE(length, 0);
  buffer.writeUInt32BE(SUBMIT_SM, 4);
  buffer.writeUInt32BE(0, 8);
  buffer.writeUInt32BE(sequence, 12);
  let offset = HEADER;
  const cstring = (value: string) => {
    offset += buffer.write(value, offset, 'latin1');
    buffer[offset++] = 0;
  };
  cstring(service_type);
  buffer[offset++] = fields.source_addr_ton;
  buffer[offset++] = fields.source_addr_npi;
  cstring(source_addr);
  buffer[offset++] = fields.dest_addr_ton;
  buffer[offset++] = fields.dest_addr_npi;
  cstring(destination_addr);
  buffer[offset++] = fields.esm_class;
  buffer[offset++] = 0; // protocol_id
  buffer[offset++] = 0; // priority_flag
  buffer[offset++] = 0; // schedule_delivery_time: empty
  buffer[offset++] = 0; // validity_period: empty
  buffer[offset++] = fields.registered_delivery;
  buffer[offset++] = 0; // replace_if_present_flag
  buffer[offset++] = fields.data_coding;
  buffer[offset++] = 0; // sm_default_msg_id
  buffer[offset++] = short_message.length; // sm_length
  short_message.copy(buffer, offset);
  return buffer;
}

/** A submit_sm for `Session.send`, which gives it its sequence number before its bytes. */
export class SubmitSmPdu {
  readonly command = 'submit_sm';
  readonly command_id = SUBMIT_SM;
  readonly command_status = 0;
  sequence_number = 0;

  constructor(readonly fields: SubmitSmFields) {}

  isResponse(): boolean {
    return false;
  }

  toBuffer(): Buffer {
    return encodeSubmitSm(this.fields, this.sequence_number);
  }

  /** As the package's type, for `Session.send` (which uses only the members above). */
  asPdu(): smpp.PDU {
    return this as unknown as smpp.PDU;
  }
}

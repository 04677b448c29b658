// Herald's own submit_sm encoder writes exactly the bytes the smpp package writes for the same
// fields, so an SMSC sees no difference (the package's PDU is the reference).
import smpp from 'smpp';
import { describe, expect, it } from 'vitest';
import { segmentForSmpp, sourceAddress } from '../../src/carriers/smpp-message.js';
import {
  encodeSubmitSm,
  SubmitSmPdu,
  type SubmitSmFields,
} from '../../src/carriers/smpp-submit.js';

function fieldsFor(text: string, opts: { sender: string; serviceType?: string }): SubmitSmFields[] {
  const source = sourceAddress(opts.sender);
  return segmentForSmpp(text, 42).map((segment) => ({
    service_type: opts.serviceType ?? '',
    source_addr_ton: source.ton,
    source_addr_npi: source.npi,
    source_addr: source.addr,
    dest_addr_ton: 1,
    dest_addr_npi: 1,
    destination_addr: '14155550123',
    esm_class: segment.esmClass,
    registered_delivery: 1,
    data_coding: segment.dataCoding,
    short_message: segment.shortMessage,
  }));
}

const reference = (fields: SubmitSmFields, sequence: number) =>
  new smpp.PDU('submit_sm', { ...fields, sequence_number: sequence }).toBuffer();

describe('submit_sm encoding', () => {
  const cases: [string, string, { sender: string; serviceType?: string }][] = [
    ['plain GSM-7 text, alphanumeric sender', 'Acme: your order has shipped.', { sender: 'Acme' }],
    ['GSM-7 with extension characters', 'Price: 10€ [today] {only}', { sender: 'Acme' }],
    ['UCS-2 text, numeric sender', 'Votre commande 你好 est partie', { sender: '+14155550100' }],
    ['a long text in concatenated parts', 'Long message. '.repeat(40), { sender: 'Acme' }],
    ['a long UCS-2 text in parts', '你好，世界。'.repeat(30), { sender: '12345' }],
    ['a service type', 'Hello', { sender: 'Acme', serviceType: 'CMT' }],
  ];
  for (const [name, text, opts] of cases) {
    it(`writes the package's bytes for ${name}`, () => {
      const all = fieldsFor(text, opts);
      expect(all.length).toBeGreaterThan(0);
      for (const [i, fields] of all.entries()) {
        const sequence = [1, 0x7fffffff, 65_536 + i][i % 3]!;
        expect(encodeSubmitSm(fields, sequence).equals(reference(fields, sequence))).toBe(true);
      }
    });
  }

  it('decodes back to the same fields with the package', () => {
    const [fields] = fieldsFor('Your code is 1234', { sender: 'Acme' });
    const pdu = new SubmitSmPdu(fields!);
    pdu.sequence_number = 7;
    const decoded = new smpp.PDU(pdu.toBuffer() as unknown as string);
    expect(decoded.command).toBe('submit_sm');
    expect(decoded.sequence_number).toBe(7);
    expect(decoded.destination_addr).toBe('14155550123');
    expect(decoded.source_addr).toBe('Acme');
    expect((decoded.short_message as { message: string }).message).toBe('Your code is 1234');
  });

  it('refuses a short_message longer than sm_length can say', () => {
    const [fields] = fieldsFor('Hi', { sender: 'Acme' });
    expect(() => encodeSubmitSm({ ...fields!, short_message: Buffer.alloc(256) }, 1)).toThrow(
      RangeError,
    );
  });
});

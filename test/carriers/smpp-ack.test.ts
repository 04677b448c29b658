// The SMPP carrier acknowledges a deliver_sm (a receipt, an opt-out) only once Herald recorded
// it: a worker that dies while recording leaves it with the SMSC, which delivers it again.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeliveryReceipt, InboundSms } from '../../src/carriers/carrier.js';
import { createSmppCarrier, type SmppCarrier } from '../../src/carriers/smpp.js';
import { FakeSmsc } from '../fakes/smsc.js';
import { outgoing } from './contract.js';

describe('smpp carrier acknowledgements', () => {
  let fake: FakeSmsc;
  let carrier: SmppCarrier;

  async function start(): Promise<void> {
    fake = await FakeSmsc.start();
    carrier = createSmppCarrier({
      host: '127.0.0.1',
      port: fake.port,
      systemId: 'herald',
      password: 'secret',
      reconnectMs: 20,
    });
  }

  afterEach(async () => {
    await carrier.close();
    await fake.close();
  });

  it('answers a receipt only after the listener has recorded it', async () => {
    await start();
    const sent = await carrier.send(outgoing('Your code is 1234'));
    expect(sent.status).toBe('accepted');
    const id = (sent as { carrierMessageId: string }).carrierMessageId;
    let record!: () => void;
    const recorded = new Promise<void>((resolve) => (record = resolve));
    const receipts: DeliveryReceipt[] = [];
    carrier.subscribe({
      onReceipt: (r) => {
        receipts.push(r);
        return recorded;
      },
    });
    let acknowledged = false;
    const delivering = fake.deliverReceipt(id, 'delivered').then(() => (acknowledged = true));
    await vi.waitFor(() => expect(receipts).toHaveLength(1));
    // The listener has it, but has not finished with it: the SMSC still holds the receipt.
    await new Promise((resolve) => setImmediate(resolve));
    expect(acknowledged).toBe(false);
    record();
    await delivering;
    expect(acknowledged).toBe(true);
    expect(fake.counts().deliverRefusals).toBe(0);
  });

  it('asks for an MO message again when recording it failed, and takes it the second time', async () => {
    await start();
    const inbound: InboundSms[] = [];
    carrier.subscribe({
      onInbound: (sms) => {
        inbound.push(sms);
        return inbound.length === 1
          ? Promise.reject(new Error('database unavailable'))
          : Promise.resolve();
      },
    });
    await fake.injectInbound('+14155550123', 'STOP');
    expect(inbound.map((m) => m.text)).toEqual(['STOP', 'STOP']);
    // Refused once (ESME_RX_T_APPN), then acknowledged.
    expect(fake.counts().deliverRefusals).toBe(1);
  });
});

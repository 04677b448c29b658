import { describe, expect, it, vi } from 'vitest';
import {
  createCarrierRegistry,
  type DeliveryReceipt,
  type InboundSms,
} from '../../src/carriers/carrier.js';
import {
  createSimulator,
  isSimulator,
  SIMULATED_NETWORK_FAILURES,
} from '../../src/carriers/simulator.js';

/** A small seeded generator (mulberry32), so that rates give the same outcomes every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const sms = (to: string, messageId = 1) => ({
  messageId,
  to,
  body: 'hello',
  purpose: 'transactional' as const,
  segments: 1,
});

describe('simulator carrier', () => {
  it('accepts messages with increasing ids and remembers them', async () => {
    const sim = createSimulator({ clock: () => new Date('2026-03-02T10:00:00Z') });
    const a = await sim.send(sms('+14155550123', 1));
    const b = await sim.send(sms('+8613912345678', 2));
    expect(a).toEqual({ status: 'accepted', carrierMessageId: 'sim-00000001' });
    expect(b).toEqual({ status: 'accepted', carrierMessageId: 'sim-00000002' });
    expect(sim.sent().map((m) => m.messageId)).toEqual([1, 2]);
    expect(sim.sentTo('+8613912345678')).toHaveLength(1);
    expect(sim.sent()[0]!.at.toISOString()).toBe('2026-03-02T10:00:00.000Z');
  });

  it('fails numbers by their last digits, the longest rule winning, by default 0001 and 0002', async () => {
    const sim = createSimulator();
    expect(await sim.send(sms('+14155550001'))).toEqual({
      status: 'failed',
      errorCode: 'SIM_UNKNOWN_SUBSCRIBER',
      permanent: true,
    });
    expect(await sim.send(sms('+14155550002'))).toMatchObject({ permanent: false });
    sim.setFailures([
      { suffix: '3', errorCode: 'A', permanent: false },
      { suffix: '123', errorCode: 'B', permanent: true },
    ]);
    expect(await sim.send(sms('+14155550123'))).toMatchObject({ errorCode: 'B', permanent: true });
    expect(await sim.send(sms('+14155550133'))).toMatchObject({ errorCode: 'A' });
    expect(await sim.send(sms('+14155550001'))).toMatchObject({ status: 'accepted' });
    expect(sim.sent().map((m) => m.status)).toEqual([
      'failed',
      'failed',
      'failed',
      'failed',
      'accepted',
    ]);
  });

  it('keeps a bounded history', async () => {
    const sim = createSimulator({ historyLimit: 3 });
    for (let i = 1; i <= 5; i++) await sim.send(sms('+14155550123', i));
    expect(sim.sent().map((m) => m.messageId)).toEqual([3, 4, 5]);
    for (let i = 0; i < 5; i++) sim.injectInbound('+14155550123', `m${i}`);
    expect(sim.inbound().map((m) => m.text)).toEqual(['m2', 'm3', 'm4']);
  });

  it('injects inbound messages and refuses to send once closed', async () => {
    const sim = createSimulator();
    const inbound = sim.injectInbound('+14155550123', 'STOP', new Date('2026-01-01T00:00:00Z'));
    expect(inbound).toMatchObject({ carrier: 'simulator', from: '+14155550123', text: 'STOP' });
    expect(inbound.carrierMessageId).toMatch(/^sim-in-/);
    await sim.close();
    expect(await sim.send(sms('+14155550123'))).toMatchObject({
      status: 'failed',
      permanent: false,
    });
  });

  it('is found by name in a registry, which routes through its first carrier by default', async () => {
    const registry = createCarrierRegistry([
      createSimulator(),
      createSimulator({ name: 'backup' }),
    ]);
    expect(registry.default().name).toBe('simulator');
    expect(registry.names()).toEqual(['simulator', 'backup']);
    expect(isSimulator(registry.get('backup'))).toBe(true);
    expect(registry.get('twilio')).toBeUndefined();
    expect(() => createCarrierRegistry([createSimulator(), createSimulator()])).toThrow(/two/);
    expect(() => createCarrierRegistry([createSimulator()], 'smpp')).toThrow(/no carrier/);
    await registry.close();
    expect(await registry.get('backup')!.send(sms('+14155550123'))).toMatchObject({
      status: 'failed',
    });
  });

  it('numbers what it was handed, in order, with the sender', async () => {
    const sim = createSimulator();
    await sim.send({ ...sms('+14155550123', 7), sender: 'ACME' });
    await sim.send(sms('+14155550001', 8));
    expect(sim.sent().map((m) => [m.seq, m.messageId, m.sender])).toEqual([
      [1, 7, 'ACME'],
      [2, 8, null],
    ]);
    expect(sim.handoffs).toBe(2);
  });

  it('takes its time when asked to', async () => {
    const sim = createSimulator({ latencyMs: 40 });
    const started = Date.now();
    expect(await sim.send(sms('+14155550123'))).toMatchObject({ status: 'accepted' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    // The hand-off is recorded when it happens, not when the answer comes.
    expect(sim.sent()).toHaveLength(1);
  });

  it('refuses a share of submissions temporarily, with a network’s codes', async () => {
    const sim = createSimulator({ submitFailureRate: 0.3, random: seeded(7), receipts: false });
    const results = [];
    for (let i = 0; i < 200; i++) results.push(await sim.send(sms('+14155550123', i)));
    const refused = results.filter((r) => r.status === 'failed');
    expect(refused.length).toBeGreaterThan(30);
    expect(refused.length).toBeLessThan(90);
    for (const r of refused) {
      expect(r).toMatchObject({ permanent: false });
      expect(['SIM_THROTTLED', 'SIM_SYSTEM_BUSY']).toContain(r.status === 'failed' && r.errorCode);
    }
  });

  it('pushes a receipt for every accepted message, later, at the delivery rate', async () => {
    const sim = createSimulator({
      deliveryRate: 0.7,
      receiptDelayMs: [1, 15],
      random: seeded(42),
    });
    const receipts: DeliveryReceipt[] = [];
    const ids = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const r = await sim.send(sms('+14155550123', i));
      if (r.status === 'accepted') ids.add(r.carrierMessageId);
    }
    // Nobody listened yet: kept, and handed to the first subscriber.
    await new Promise((resolve) => setTimeout(resolve, 30));
    sim.subscribe({ onReceipt: (r) => receipts.push(r) });
    await vi.waitFor(() => expect(receipts).toHaveLength(100));
    expect(new Set(receipts.map((r) => r.carrierMessageId))).toEqual(ids);
    const delivered = receipts.filter((r) => r.status === 'delivered').length;
    expect(delivered).toBeGreaterThan(55);
    expect(delivered).toBeLessThan(85);
    const codes = new Set(SIMULATED_NETWORK_FAILURES.map((f) => f.errorCode));
    for (const r of receipts.filter((x) => x.status !== 'delivered')) {
      expect(codes.has(r.errorCode!)).toBe(true);
      expect(r).toMatchObject({ carrier: 'simulator' });
      expect(typeof r.permanent).toBe('boolean');
    }
    await sim.close();
  });

  it('fails a number at the receipt stage when its rule says so', async () => {
    const sim = createSimulator({
      failures: [
        { suffix: '99', errorCode: 'SIM_UNKNOWN_SUBSCRIBER', permanent: true, stage: 'receipt' },
      ],
    });
    const receipts: DeliveryReceipt[] = [];
    sim.subscribe({ onReceipt: (r) => receipts.push(r) });
    expect(await sim.send(sms('+14155550199'))).toMatchObject({ status: 'accepted' });
    await vi.waitFor(() => expect(receipts).toHaveLength(1));
    expect(receipts[0]).toMatchObject({
      status: 'undelivered',
      errorCode: 'SIM_UNKNOWN_SUBSCRIBER',
      permanent: true,
    });
    await sim.close();
  });

  it('redelivers to a listener that threw, and pushes inbound messages apart from injectInbound', async () => {
    vi.useFakeTimers();
    try {
      const sim = createSimulator();
      const got: InboundSms[] = [];
      let fail = true;
      sim.subscribe({
        onInbound: (m) => {
          if (fail) {
            fail = false;
            throw new Error('not now');
          }
          got.push(m);
        },
      });
      sim.injectInbound('+14155550123', 'only returned');
      sim.pushInbound('+14155550123', 'STOP');
      expect(got).toEqual([]);
      await vi.advanceTimersByTimeAsync(1000);
      expect(got.map((m) => m.text)).toEqual(['STOP']);
      expect(sim.inbound().map((m) => m.text)).toEqual(['only returned', 'STOP']);
      await sim.close();
    } finally {
      vi.useRealTimers();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { createCarrierRegistry } from '../../src/carriers/carrier.js';
import { createSimulator, isSimulator } from '../../src/carriers/simulator.js';

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
});

/**
 * Delivery tests: an application context whose carriers are simulators of the test's choosing
 * (by name, with their own failure rules), routed by the test's routing configuration; contacts
 * with marketing consent on record; policy overrides for caps.
 */
import type { AppContext } from '../../src/app-context.js';
import { createCarrierRegistry } from '../../src/carriers/carrier.js';
import {
  createSimulator,
  isSimulator,
  type SimulatorCarrier,
  type SimulatorOptions,
} from '../../src/carriers/simulator.js';
import { setPolicyOverrides } from '../../src/compliance/policies.js';
import { createContact } from '../../src/contacts/contacts.js';
import type { ConsentMethod } from '../../src/core/policy/consent.js';
import { normaliseRouting, type RoutingInput } from '../../src/delivery/routing-config.js';
import { createRouter } from '../../src/delivery/routing.js';
import type { Dialect } from '../../src/store/database.js';
import { listMessageEvents } from '../../src/store/message-events.js';
import { openTestContext } from '../helpers/context.js';

export interface DeliveryTest {
  readonly ctx: AppContext;
  /** The simulators by name (the context's default one when none were asked for). */
  readonly sims: Record<string, SimulatorCarrier>;
  logs(): string;
  close(): Promise<void>;
}

export async function openDelivery(
  dialect: Dialect,
  opts: {
    simulators?: SimulatorOptions[];
    routing?: RoutingInput;
    env?: Record<string, string>;
  } = {},
): Promise<DeliveryTest> {
  const opened = await openTestContext(dialect, opts.env);
  let ctx = opened.ctx;
  if (opts.simulators) {
    const carriers = createCarrierRegistry(opts.simulators.map((o) => createSimulator(o)));
    ctx = {
      ...opened.ctx,
      carriers,
      router: createRouter(normaliseRouting(opts.routing), carriers, opened.ctx.logger),
    };
  }
  const sims: Record<string, SimulatorCarrier> = {};
  for (const name of ctx.carriers.names()) {
    const carrier = ctx.carriers.get(name);
    if (isSimulator(carrier)) sims[name] = carrier;
  }
  return {
    ctx,
    sims,
    logs: opened.logs,
    async close() {
      await ctx.carriers.close();
      await opened.ctx.close();
      await opened.database.drop();
    },
  };
}

/** A contact whose marketing consent (web form, accepted by the US and GB packs) is on record. */
export async function consentingContact(
  ctx: AppContext,
  phone: string,
  method: ConsentMethod = 'web_form',
): Promise<number> {
  const contact = await createContact(
    ctx,
    {
      phone,
      source: 'test',
      consents: [
        {
          purpose: 'marketing',
          action: 'grant',
          method,
          source: 'test',
          at: new Date('2029-06-01T00:00:00Z'),
        },
      ],
    },
    'test',
  );
  return contact.id;
}

/** Marketing cap of a pack: `max` per rolling `windowHours`, no minimum gap. */
export async function setMarketingCap(
  ctx: AppContext,
  pack: string,
  max: number,
  windowHours = 7 * 24,
): Promise<void> {
  await setPolicyOverrides(
    ctx,
    pack,
    { frequency: { marketing: { max, windowHours, minGapHours: 0 } } },
    'test',
  );
}

/** The statuses a message went through, oldest first. */
export async function historyOf(ctx: AppContext, messageId: number): Promise<string[]> {
  return (await listMessageEvents(ctx.store.db, { messageId })).map((e) => e.status);
}

/** A US marketing text that passes the content rules (brand named, opt-out wording). */
export const PROMO = 'Acme: spring sale, 20% off today. Reply STOP to opt out';

/** Tuesday 8 January 2030, 12:00 in Los Angeles (the zone of +1 415 numbers). */
export const NOON_LA = new Date('2030-01-08T20:00:00.000Z');

/**
 * Carrier accounts given in the configuration (`HERALD_CARRIERS`: an array in the config file, or
 * the same as a JSON string in the environment), next to the built-in simulator:
 *
 *   [ { "name": "smpp", "type": "smpp",
 *       "settings": { "host": "smsc.example.net", "port": 2775, "systemId": "flora", "window": 10 },
 *       "secrets": { "password": "..." } } ]
 *
 * The shape is the one of a carrier account in the carrier configuration API (name, type,
 * settings, secrets). Only SMPP is taken from the configuration for now; routes name these
 * carriers in HERALD_ROUTING. An SMPP carrier binds on its first use (a send, or the worker
 * subscribing to its receipts), so `herald serve` and one-off commands never open a session.
 */
import { Type, type Static } from 'typebox';
import type { Logger } from '../logger.js';
import type { Carrier } from './carrier.js';
import { createSmppCarrier, type SmppCarrier } from './smpp.js';

const SmppAccountSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,39}$' }),
    type: Type.Literal('smpp'),
    settings: Type.Object(
      {
        host: Type.String({ minLength: 1, maxLength: 255 }),
        port: Type.Integer({ minimum: 1, maximum: 65535 }),
        systemId: Type.String({ minLength: 1, maxLength: 16 }),
        systemType: Type.Optional(Type.String({ maxLength: 13 })),
        serviceType: Type.Optional(Type.String({ maxLength: 6 })),
        defaultSender: Type.Optional(Type.String({ maxLength: 21 })),
        window: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        maxPerSecond: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
        enquireLinkMs: Type.Optional(Type.Integer({ minimum: 1000 })),
        responseTimeoutMs: Type.Optional(Type.Integer({ minimum: 100 })),
      },
      { additionalProperties: false },
    ),
    secrets: Type.Object(
      { password: Type.String({ minLength: 1, maxLength: 500 }) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const CarriersSchema = Type.Array(SmppAccountSchema);
export type CarrierAccounts = Static<typeof CarriersSchema>;

/** An SMPP carrier that connects when first used; close() before that is a no-op. */
function lazySmpp(name: string, create: () => SmppCarrier): Carrier {
  let real: SmppCarrier | null = null;
  let closed = false;
  const carrier = () => (real ??= create());
  return {
    name,
    send: (message) =>
      closed
        ? Promise.resolve({ status: 'failed', errorCode: 'SMPP_CLOSED', permanent: false })
        : carrier().send(message),
    subscribe: (listener) => carrier().subscribe(listener),
    close: async () => {
      closed = true;
      await real?.close();
    },
  };
}

/** The configured carriers, ready for the registry (after the simulator). */
export function buildConfiguredCarriers(
  accounts: Readonly<CarrierAccounts>,
  logger: Logger | undefined,
): Carrier[] {
  return accounts.map(({ name, settings, secrets }) =>
    lazySmpp(name, () =>
      createSmppCarrier({
        name,
        ...settings,
        password: secrets.password,
        ...(logger ? { logger } : {}),
      }),
    ),
  );
}

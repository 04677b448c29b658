/**
 * The SMPP carrier in the configuration (`HERALD_SMPP`: an object in the config file, or the same
 * as a JSON string in the environment), validated once at start-up with the rest. Absent: no
 * SMPP carrier. Present: a carrier named `smpp` (or `name`) that routes in HERALD_ROUTING can
 * name:
 *
 *   { "host": "smsc.example.net", "port": 2775, "systemId": "herald", "password": "...",
 *     "window": 10, "maxPerSecond": 500, "defaultSender": "Acme" }
 */
import { Type, type Static } from 'typebox';
import type { SmppCarrierOptions } from './smpp-options.js';

export const SmppConfigSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    systemId: Type.String({ minLength: 1, maxLength: 15 }),
    password: Type.String({ maxLength: 8 }),
    systemType: Type.Optional(Type.String({ maxLength: 12 })),
    defaultSender: Type.Optional(Type.String({ maxLength: 20 })),
    window: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    maxPerSecond: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    maxQueued: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

export type SmppConfig = Static<typeof SmppConfigSchema>;

/** The carrier's options from its configuration (the logger is added by whoever builds it). */
export function smppOptionsFrom(config: SmppConfig): SmppCarrierOptions {
  return { ...config };
}

/**
 * The routing section of the configuration (`HERALD_ROUTING`: an object in the config file, or
 * the same as a JSON string in the environment), validated once at start-up with the rest:
 *
 *   { "routes": [
 *       { "purpose": "marketing", "countries": ["CN"], "carriers": ["tencent", "aliyun"],
 *         "sender": "FloraMkt" },
 *       { "purpose": "transactional", "carriers": ["smpp", "twilio"], "sender": "FloraTx" } ],
 *     "rates": { "carriers": { "tencent": 100 }, "senders": { "FloraMkt": { "perSecond": 20, "burst": 40 } } } }
 *
 * Routes are tried in order; the first whose purpose and countries match a message names its
 * carriers (fail-over order) and sender. Nothing matching, or nothing configured: the registry's
 * default carrier (the built-in simulator) for everything. Rates are messages per second.
 */
import { Type, type Static } from 'typebox';
import { PURPOSES, type Purpose } from '../core/policy/purposes.js';

const Rate = Type.Union([
  Type.Number({ exclusiveMinimum: 0 }),
  Type.Object(
    {
      perSecond: Type.Number({ exclusiveMinimum: 0 }),
      burst: Type.Optional(Type.Integer({ minimum: 1 })),
    },
    { additionalProperties: false },
  ),
]);

const RouteSchema = Type.Object(
  {
    purpose: Type.Optional(Type.Enum(PURPOSES)),
    countries: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Z]{2}$' }), { minItems: 1 })),
    carriers: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    sender: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  },
  { additionalProperties: false },
);

export const RoutingSchema = Type.Object(
  {
    routes: Type.Optional(Type.Array(RouteSchema)),
    rates: Type.Optional(
      Type.Object(
        {
          carriers: Type.Optional(Type.Record(Type.String(), Rate)),
          senders: Type.Optional(Type.Record(Type.String(), Rate)),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type RoutingInput = Static<typeof RoutingSchema>;

export interface RateLimit {
  readonly perSecond: number;
  /** Messages that may go at once after a quiet spell; default: one second's worth. */
  readonly burst: number;
}

export interface RouteRule {
  readonly purpose?: Purpose;
  readonly countries?: readonly string[];
  readonly carriers: readonly string[];
  readonly sender?: string;
}

export interface RoutingConfig {
  readonly routes: readonly RouteRule[];
  readonly carrierRates: Readonly<Record<string, RateLimit>>;
  readonly senderRates: Readonly<Record<string, RateLimit>>;
}

function rateOf(value: Static<typeof Rate>): RateLimit {
  const perSecond = typeof value === 'number' ? value : value.perSecond;
  const burst = typeof value === 'number' ? undefined : value.burst;
  return Object.freeze({ perSecond, burst: burst ?? Math.max(1, Math.ceil(perSecond)) });
}

function ratesOf(input: Record<string, Static<typeof Rate>> | undefined) {
  return Object.freeze(
    Object.fromEntries(Object.entries(input ?? {}).map(([name, r]) => [name, rateOf(r)])),
  );
}

/** The validated input as the router takes it (defaults filled in, frozen). */
export function normaliseRouting(input: RoutingInput | undefined): RoutingConfig {
  return Object.freeze({
    routes: Object.freeze((input?.routes ?? []).map((r) => Object.freeze({ ...r }))),
    carrierRates: ratesOf(input?.rates?.carriers),
    senderRates: ratesOf(input?.rates?.senders),
  });
}

/**
 * The pumping section of the configuration (`HERALD_PUMPING`: an object in the config file, or
 * the same as a JSON string in the environment). Every key is optional; what is absent keeps
 * its default (src/core/pumping.ts), and the older keys HERALD_SUBSCRIBE_MAX_PER_IP_HOUR and
 * HERALD_SUBSCRIBE_MAX_PER_NUMBER_DAY still set the per-IP and per-number limits:
 *
 *   { "perPrefix": { "max": 10, "windowSeconds": 3600 },
 *     "burst": { "consecutiveRun": 3, "blockMax": 5, "windowSeconds": 600 },
 *     "dailySpendCap": 50, "prices": { "default": 0.05, "countries": { "CN": 0.03 } } }
 */
import { Type, type Static } from 'typebox';
import { DEFAULT_PUMPING_LIMITS, type PumpingLimits } from '../core/pumping.js';

const Window = Type.Object(
  {
    max: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
    windowSeconds: Type.Integer({ minimum: 1, maximum: 31 * 86_400 }),
  },
  { additionalProperties: false },
);

export const PumpingSchema = Type.Object(
  {
    perNumber: Type.Optional(Window),
    perIp: Type.Optional(Window),
    perPrefix: Type.Optional(Window),
    prefixDigits: Type.Optional(Type.Integer({ minimum: 1, maximum: 8 })),
    perCountry: Type.Optional(Window),
    burst: Type.Optional(
      Type.Object(
        {
          windowSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
          blockDigits: Type.Optional(Type.Integer({ minimum: 1, maximum: 4 })),
          consecutiveRun: Type.Optional(Type.Integer({ minimum: 2, maximum: 10_000 })),
          blockMax: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
        },
        { additionalProperties: false },
      ),
    ),
    dailySpendCap: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.Null()])),
    prices: Type.Optional(
      Type.Object(
        {
          default: Type.Optional(Type.Number({ minimum: 0 })),
          countries: Type.Optional(
            // Keys are checked in normalisePumping (ISO alpha-2, upper case).
            Type.Record(Type.String(), Type.Number({ minimum: 0 })),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type PumpingInput = Static<typeof PumpingSchema>;

/** The limits in force: defaults, then the two older keys, then `HERALD_PUMPING`; throws on a bad country code. */
export function normalisePumping(
  input: PumpingInput | undefined,
  legacy: { readonly perIpHour: number; readonly perNumberDay: number },
): PumpingLimits {
  const d = DEFAULT_PUMPING_LIMITS;
  const i = input ?? {};
  const badCountry = Object.keys(i.prices?.countries ?? {}).find((c) => !/^[A-Z]{2}$/.test(c));
  if (badCountry !== undefined) {
    throw new Error(`prices.countries has "${badCountry}", not an ISO 3166 alpha-2 code`);
  }
  return Object.freeze({
    perNumber: i.perNumber ?? { max: legacy.perNumberDay, windowSeconds: 86_400 },
    perIp: i.perIp ?? { max: legacy.perIpHour, windowSeconds: 3_600 },
    perPrefix: i.perPrefix ?? d.perPrefix,
    prefixDigits: i.prefixDigits ?? d.prefixDigits,
    perCountry: i.perCountry ?? d.perCountry,
    burst: { ...d.burst, ...i.burst },
    dailySpendCap: i.dailySpendCap === undefined ? d.dailySpendCap : i.dailySpendCap,
    prices: {
      default: i.prices?.default ?? d.prices.default,
      countries: { ...d.prices.countries, ...i.prices?.countries },
    },
  });
}

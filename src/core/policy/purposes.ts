/**
 * Why a message is sent. The purpose decides which consent, hours, caps and content rules apply:
 * marketing needs consent and respects quiet hours; transactional (order status, one-time codes)
 * goes out when the contact needs it.
 */
export const PURPOSES = ['marketing', 'transactional'] as const;
export type Purpose = (typeof PURPOSES)[number];

/**
 * @example
 *   isPurpose('marketing'); // true
 *   isPurpose('promo'); // false
 */
export function isPurpose(value: string): value is Purpose {
  return (PURPOSES as readonly string[]).includes(value);
}

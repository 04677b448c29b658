// Builders shared by the policy tests: a consenting recipient and a compliant message per market,
// so each table row states only what it is about.
import type { Message, Recipient } from '../../../src/core/policy/decide.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export const at = (iso: string): number => Date.parse(iso);

export const ZONES = {
  US: ['America/New_York'],
  CN: ['Asia/Shanghai'],
  FR: ['Europe/Paris'],
  DE: ['Europe/Berlin'],
  GB: ['Europe/London'],
  AU: ['Australia/Sydney'],
  IN: ['Asia/Kolkata'],
} as const;

export const BRAND = {
  US: 'Acme',
  CN: '好店',
  FR: 'Maison',
  DE: 'Laden',
  GB: 'Shop',
  AU: 'Mate',
  IN: 'Dukaan',
} as const;

export const MARKETING_BODY = {
  US: 'Acme: spring sale, 20% off today. Reply STOP to opt out',
  CN: '【好店】春季大促，全场8折，回复TD退订',
  FR: 'Maison : -20% ce week-end. STOP SMS au 36111',
  DE: 'Laden: 20% Rabatt am Wochenende. Abmelden: Antworte STOP',
  GB: 'Shop: 20% off this weekend. Reply STOP to opt out',
  AU: 'Mate: 20% off this weekend. Reply STOP to opt out',
  IN: 'Dukaan: 20% off this weekend. Reply STOP to opt out',
} as const;

export const TRANSACTIONAL_BODY = {
  US: 'Acme: your order 1042 has shipped.',
  CN: '【好店】您的订单已发货',
  FR: 'Maison : votre commande est expédiée.',
  DE: 'Laden: Ihre Bestellung ist unterwegs.',
  GB: 'Shop: your parcel arrives today.',
  AU: 'Mate: your parcel arrives today.',
  IN: 'Dukaan: your order has shipped.',
} as const;

export type Market = keyof typeof ZONES;

export function recipient(market: Market, extra: Partial<Recipient> = {}): Recipient {
  return {
    numberValid: true,
    country: market,
    zones: ZONES[market],
    consent: {
      marketing: { granted: true, method: 'double_opt_in_sms', at: Date.UTC(2025, 0, 1) },
    },
    optedOut: null,
    suppressed: null,
    recentSends: { marketing: [], oneTimeCodes: [] },
    ...extra,
  };
}

export function marketing(market: Market, extra: Partial<Message> = {}): Message {
  return { purpose: 'marketing', body: MARKETING_BODY[market], brand: BRAND[market], ...extra };
}

export function transactional(market: Market, extra: Partial<Message> = {}): Message {
  return {
    purpose: 'transactional',
    body: TRANSACTIONAL_BODY[market],
    brand: BRAND[market],
    ...extra,
  };
}

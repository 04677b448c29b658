/**
 * Building blocks the packs share: the pack builder, opt-out wording and the patterns that
 * recognise it, and weekday sets. Pack files hold only what differs per jurisdiction.
 */
import type { PolicyField, PolicyPack, Weekday } from '../policy-pack.js';
import { deepFreeze, mergeDeep } from '../merge.js';

type Patch<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { -readonly [K in keyof T]?: Patch<T[K]> }
    : T;

/** A pack as a patch over its parent; it must cite a source for every field, not inherit one. */
export type PackPatch = Patch<Omit<PolicyPack, 'sources'>> & {
  sources: Readonly<Record<PolicyField, string>>;
};

/**
 * @example
 *   const FR = definePack(EU_PACK, { id: 'FR', name: 'France', countries: ['FR'], sources });
 */
export function definePack(base: PolicyPack, patch: PackPatch): PolicyPack {
  return deepFreeze(mergeDeep(base, patch));
}

export const MON_TO_FRI: readonly Weekday[] = [1, 2, 3, 4, 5];
export const MON_TO_SAT: readonly Weekday[] = [1, 2, 3, 4, 5, 6];
export const SATURDAY: readonly Weekday[] = [6];

export const OPT_OUT_TEXTS = {
  en: 'Reply STOP to opt out',
  zh: '回复TD退订',
  fr: 'Répondez STOP pour ne plus recevoir nos SMS',
  de: 'Abmelden: Antworte STOP',
} as const;

// Recognise the instruction however a marketer phrased it ("Txt STOP to end", "退订回T",
// "STOP SMS au 36111"); matched case-insensitively against the whole text.
export const OPT_OUT_PATTERNS: readonly string[] = [
  String.raw`\b(reply|text|txt|send|sms)\s+["'“]?(stop|stopall|end|quit|cancel|unsubscribe|optout)\b`,
  String.raw`\b(stop|end|quit|cancel|unsubscribe)\s*(to|2)\s*(opt[\s-]?out|end|stop|cancel|unsubscribe|quit)\b`,
  String.raw`回复?\s*(TD|T|N|R)\s*(退订|退|拒收)`,
  String.raw`(退订|拒收)请?回复?\s*(TD|T|N|R)(?![A-Za-z])`,
  String.raw`\bstop\s*(sms\s*)?(au|:)\s*\d{3,6}\b`,
  String.raw`\b(r[ée]pondez|r[ée]pondre|envoyez)\s+stop\b`,
  String.raw`\b(antworte|antworten(\s+sie)?(\s+mit)?|sende|senden(\s+sie)?)\s+["„]?stopp?\b`,
];

/** The answer to HELP: who is writing and how to stop, never marketing. */
export const HELP_TEXTS = {
  en: '{brand}: reply STOP to unsubscribe, START to subscribe again. Msg & data rates may apply.',
  zh: '【{brand}】回复TD退订，回复“订阅”重新订阅。',
  fr: '{brand} : répondez STOP pour vous désinscrire.',
  de: '{brand}: Antworten Sie STOP, um sich abzumelden.',
} as const;

export const CONFIRMATION_TEXTS = {
  en: '{brand}: you are unsubscribed and will receive no further messages. Reply START to resubscribe.',
  zh: '【{brand}】退订成功，您将不再收到我们的短信。',
  fr: '{brand} : vous êtes désinscrit et ne recevrez plus de SMS.',
  de: '{brand}: Sie sind abgemeldet und erhalten keine weiteren SMS.',
} as const;

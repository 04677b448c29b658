/**
 * European Union (and EEA): GDPR for consent and its proof, the ePrivacy Directive for
 * unsolicited communications. No EU-wide sending hours; France and Germany have their own packs.
 */
import type { PolicyPack } from '../policy-pack.js';
import { DEFAULT_PACK } from './default.js';
import { definePack, MON_TO_SAT } from './common.js';

export const EU_PACK: PolicyPack = definePack(DEFAULT_PACK, {
  id: 'EU',
  name: 'European Union (GDPR, ePrivacy)',
  countries: [],
  defaultLocale: 'en',
  quietHours: {
    marketing: { allowed: [{ days: MON_TO_SAT, start: '08:00', end: '20:00' }] },
    transactional: null,
  },
  holidays: { appliesTo: ['marketing'], types: ['public'] },
  keywords: {
    optOut: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT'],
    optIn: ['START'],
    help: ['HELP', 'INFO'],
    confirm: ['YES'],
  },
  consent: {
    marketing: {
      required: true,
      methods: [
        'web_form',
        'double_opt_in_sms',
        'double_opt_in_link',
        'keyword',
        'paper',
        'import',
      ],
      importNeedsEvidence: true,
    },
  },
  optOut: { appliesTo: 'marketing', legalDeadlineBusinessDays: null },
  sources: {
    quietHours: 'No EU-wide rule; Herald default Monday–Saturday 08:00–20:00 recipient local time.',
    holidays: 'No EU-wide rule; Herald default: no marketing on public holidays (date-holidays).',
    signature: 'No signature format required.',
    brand:
      'Directive 2002/58/EC (ePrivacy) Art. 13(4): no direct marketing that disguises or conceals the sender’s identity.',
    optOutText:
      'ePrivacy Art. 13(4): a valid address to request that such communications cease; GDPR Art. 21(2)–(3).',
    forbiddenWords: 'None by EU law; settings may add words.',
    maxSegments: 'Herald default (short and clear).',
    templates: 'Not required.',
    keywords: 'Industry practice: STOP and its English variants.',
    frequency: 'No statutory cap; Herald default 2 per rolling 7 days, 24 h apart; OTP 5 per hour.',
    consent:
      'ePrivacy Art. 13(1): prior consent for direct marketing by electronic mail (SMS included); GDPR Art. 4(11), 6(1)(a), 7(1): consent freely given, specific, and demonstrable.',
    optOut:
      'GDPR Art. 7(3) (withdraw as easily as given) and Art. 21(3) (no more direct marketing after objection), without delay. Herald honours at once.',
  },
});

export const FR_PACK: PolicyPack = definePack(EU_PACK, {
  id: 'FR',
  name: 'France (CPCE, CNIL)',
  countries: ['FR'],
  defaultLocale: 'fr',
  quietHours: {
    marketing: {
      allowed: [{ days: MON_TO_SAT, start: '08:00', end: '20:00' }],
      limit: [{ days: MON_TO_SAT, start: '08:00', end: '20:00' }],
    },
  },
  holidays: { appliesTo: ['marketing'], types: ['public'] },
  keywords: {
    optOut: ['STOP', 'ARRET', 'ARRÊT', 'DESABONNER', 'UNSUBSCRIBE'],
    optIn: ['START'],
    help: ['AIDE', 'HELP'],
    confirm: ['OUI', 'YES'],
  },
  consent: {
    marketing: {
      required: true,
      methods: [
        'web_form',
        'double_opt_in_sms',
        'double_opt_in_link',
        'keyword',
        'paper',
        'import',
        'existing_customer',
      ],
      importNeedsEvidence: true,
    },
  },
  sources: {
    quietHours:
      'CNIL guidance and the AF2M (Association française du multimédia mobile) code of conduct for SMS marketing: Monday–Saturday 08:00–20:00 only.',
    holidays:
      'CNIL / AF2M: no marketing SMS on Sundays and public holidays (jours fériés from date-holidays, type public).',
    signature: 'No signature format required.',
    brand: 'CPCE art. L34-5: no direct marketing concealing the identity of the sender.',
    optOutText:
      'CPCE art. L34-5: every message gives a free means to object (the “STOP SMS” mention, AF2M).',
    forbiddenWords: 'None by law; settings may add words.',
    maxSegments: 'Herald default (short and clear).',
    templates: 'Not required.',
    keywords: 'Industry practice in France: STOP (AF2M “STOP SMS”), ARRET.',
    frequency: 'No statutory cap; Herald default 2 per rolling 7 days, 24 h apart; OTP 5 per hour.',
    consent:
      'CPCE art. L34-5 (LCEN 2004): prior consent; soft opt-in for existing customers about analogous products and services.',
    optOut:
      'CPCE art. L34-5 and GDPR Art. 21(3): objection honoured without delay. Herald honours at once.',
  },
});

export const DE_PACK: PolicyPack = definePack(EU_PACK, {
  id: 'DE',
  name: 'Germany (UWG, GDPR)',
  countries: ['DE'],
  defaultLocale: 'de',
  keywords: {
    optOut: ['STOP', 'STOPP', 'ABMELDEN', 'UNSUBSCRIBE'],
    optIn: ['START'],
    help: ['HILFE', 'HELP'],
    confirm: ['JA', 'YES'],
  },
  consent: {
    marketing: {
      required: true,
      methods: ['double_opt_in_sms', 'double_opt_in_link', 'keyword'],
      importNeedsEvidence: true,
    },
  },
  sources: {
    quietHours:
      'No statute for SMS; Herald default Monday–Saturday 08:00–20:00 (Sunday and holiday rest, Sonn- und Feiertagsruhe).',
    holidays:
      'Herald default: no marketing on gesetzliche Feiertage of the recipient’s Land when known, else nationwide ones (date-holidays, type public).',
    signature: 'No signature format required.',
    brand: 'UWG § 7 Abs. 2 Nr. 3 (identity of the sender not concealed) and ePrivacy Art. 13(4).',
    optOutText:
      'UWG § 7 Abs. 2 Nr. 3: a valid address to stop the advertising, at basic rates only.',
    forbiddenWords: 'None by law; settings may add words.',
    maxSegments: 'Herald default (short and clear).',
    templates: 'Not required.',
    keywords: 'Industry practice in Germany: STOP, STOPP, ABMELDEN.',
    frequency: 'No statutory cap; Herald default 2 per rolling 7 days, 24 h apart; OTP 5 per hour.',
    consent:
      'UWG § 7 Abs. 2 Nr. 2: prior express consent for advertising by electronic mail (SMS included); BGH, 10 Feb 2011, I ZR 164/09: consent proven by double opt-in. Keyword opt-in from the handset also proves control of the number.',
    optOut: 'GDPR Art. 7(3) and 21(3): withdrawal honoured without delay. Herald honours at once.',
  },
});

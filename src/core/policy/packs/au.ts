/**
 * Australia: Spam Act 2003. Three rules for every commercial message: consent, sender
 * identification, and a functional unsubscribe honoured within five business days (Herald
 * honours at once).
 */
import type { PolicyPack } from '../policy-pack.js';
import { DEFAULT_PACK } from './default.js';
import { definePack, MON_TO_FRI, SATURDAY } from './common.js';

export const AU_PACK: PolicyPack = definePack(DEFAULT_PACK, {
  id: 'AU',
  name: 'Australia (Spam Act 2003)',
  countries: ['AU'],
  defaultLocale: 'en',
  quietHours: {
    marketing: {
      allowed: [
        { days: MON_TO_FRI, start: '09:00', end: '20:00' },
        { days: SATURDAY, start: '09:00', end: '17:00' },
      ],
    },
    transactional: null,
  },
  holidays: { appliesTo: ['marketing'], types: ['public'] },
  content: { brandRequiredFor: ['marketing'], optOut: { requiredFor: ['marketing'] } },
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
        'existing_customer',
      ],
      importNeedsEvidence: true,
    },
  },
  optOut: { appliesTo: 'marketing', legalDeadlineBusinessDays: 5 },
  sources: {
    quietHours:
      'The Spam Act sets no hours for SMS; Herald default follows the Telemarketing and Research Industry Standard 2017 calling hours: weekdays 09:00–20:00, Saturday 09:00–17:00, no Sundays.',
    holidays:
      'Herald default after the same Industry Standard: no marketing on national public holidays (date-holidays, by state when known).',
    signature: 'No signature format required.',
    brand:
      'Spam Act 2003 s17: accurate information identifying the individual or organisation that authorised the message.',
    optOutText: 'Spam Act 2003 s18: a functional unsubscribe facility in every commercial message.',
    forbiddenWords: 'None by law; settings may add words.',
    maxSegments: 'Herald default (short and clear).',
    templates: 'Not required.',
    keywords: 'Industry practice (ACMA guidance, carriers): STOP and its variants.',
    frequency: 'No statutory cap; Herald default 2 per rolling 7 days, 24 h apart; OTP 5 per hour.',
    consent:
      'Spam Act 2003 s16 and Schedule 2: express consent, or inferred consent from an existing business relationship; the sender bears the burden of proof (s16(5)).',
    optOut:
      'Spam Act 2003 s18: unsubscribe honoured within 5 business days. Herald honours at once.',
  },
});

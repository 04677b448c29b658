/**
 * United Kingdom: PECR for electronic marketing (with the soft opt-in for existing customers)
 * and UK GDPR for consent and its proof.
 */
import type { PolicyPack } from '../policy-pack.js';
import { DEFAULT_PACK } from './default.js';
import { definePack } from './common.js';

export const GB_PACK: PolicyPack = definePack(DEFAULT_PACK, {
  id: 'GB',
  name: 'United Kingdom (PECR, UK GDPR)',
  countries: ['GB'],
  defaultLocale: 'en',
  quietHours: { marketing: { allowed: [{ start: '08:00', end: '21:00' }] }, transactional: null },
  holidays: { appliesTo: [], types: ['public'] },
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
  optOut: { appliesTo: 'marketing', legalDeadlineBusinessDays: null },
  sources: {
    quietHours: 'PECR sets no hours; Herald default 08:00–21:00 recipient local time.',
    holidays: 'No rule against marketing on bank holidays; not blocked.',
    signature: 'No signature format required.',
    brand: 'PECR reg. 23(a): the sender’s identity is not disguised or concealed.',
    optOutText:
      'PECR reg. 22(3)(c) and 23(b): a simple means of refusing in every message, a valid address for opt-out requests.',
    forbiddenWords: 'None by law; settings may add words.',
    maxSegments: 'Herald default (short and clear).',
    templates: 'Not required.',
    keywords: 'Industry practice (mobile operators, Twilio): STOP and its variants.',
    frequency: 'No statutory cap; Herald default 2 per rolling 7 days, 24 h apart; OTP 5 per hour.',
    consent:
      'PECR reg. 22(2): prior consent; reg. 22(3): soft opt-in for existing customers about similar products when opt-out was offered at collection; UK GDPR Art. 7(1): consent demonstrable.',
    optOut: 'PECR reg. 22(3) and UK GDPR Art. 21(3): stop without delay. Herald honours at once.',
  },
});

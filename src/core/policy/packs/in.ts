/**
 * India: TRAI's Telecom Commercial Communications Customer Preference Regulations 2018 (TCCCPR),
 * enforced by the operators' DLT platforms: registered headers, registered content templates,
 * consent recorded, promotional traffic only in the day.
 */
import type { PolicyPack } from '../policy-pack.js';
import { DEFAULT_PACK } from './default.js';
import { definePack } from './common.js';

export const IN_PACK: PolicyPack = definePack(DEFAULT_PACK, {
  id: 'IN',
  name: 'India (TRAI TCCCPR 2018)',
  countries: ['IN'],
  defaultLocale: 'en',
  quietHours: {
    marketing: {
      allowed: [{ start: '09:00', end: '21:00' }],
      limit: [{ start: '09:00', end: '21:00' }],
    },
    transactional: null,
  },
  holidays: { appliesTo: [], types: ['public'] },
  content: { templateRequiredFor: ['marketing', 'transactional'] },
  keywords: {
    optOut: ['STOP', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT'],
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
    quietHours:
      'TRAI TCCCPR 2018: promotional messages only 09:00–21:00 IST. Operators’ DLT platforms reportedly reject promotional traffic before 10:00 since October 2025 (error 651); tighten with a setting if your route does.',
    holidays: 'No rule against promotional SMS on holidays; not blocked.',
    signature: 'No bracket signature; the registered DLT header (sender ID) identifies the sender.',
    brand: 'Sender identified by the registered DLT header.',
    optOutText:
      'Herald default: opt-out instruction in marketing; TCCCPR 2018 lets subscribers revoke consent at any time.',
    forbiddenWords: 'None by law beyond template scrubbing; settings may add words.',
    maxSegments: 'Herald default (short and clear).',
    templates:
      'TRAI TCCCPR 2018 (DLT): every commercial SMS, promotional and transactional, must match a registered content template.',
    keywords:
      'Industry practice: STOP and its variants; national DND registration via 1909 is separate.',
    frequency: 'No statutory cap; Herald default 2 per rolling 7 days, 24 h apart; OTP 5 per hour.',
    consent:
      'TRAI TCCCPR 2018: explicit consent recorded on the DLT consent register for promotional messages to subscribers on the NCPR (DND); Herald requires consent for every number.',
    optOut: 'TCCCPR 2018: revocation of consent honoured. Herald honours at once.',
  },
});

/**
 * United States: TCPA (47 CFR § 64.1200) and the CTIA Messaging Principles, as carriers enforce
 * them on 10DLC, toll-free and short codes. Some states keep stricter calling hours that also
 * cover texts (Florida, Oklahoma, Maryland: 8 a.m.–8 p.m.).
 */
import type { HoursRule, PolicyPack } from '../policy-pack.js';
import { DEFAULT_PACK } from './default.js';
import { definePack } from './common.js';

const TCPA_HOURS: HoursRule = {
  allowed: [{ start: '08:00', end: '21:00' }],
  limit: [{ start: '08:00', end: '21:00' }],
};
const STATE_HOURS: HoursRule = {
  allowed: [{ start: '08:00', end: '20:00' }],
  limit: [{ start: '08:00', end: '20:00' }],
};

export const US_PACK: PolicyPack = definePack(DEFAULT_PACK, {
  id: 'US',
  name: 'United States (TCPA, CTIA)',
  countries: ['US'],
  defaultLocale: 'en',
  quietHours: { marketing: TCPA_HOURS, transactional: null },
  regionalQuietHours: {
    FL: { marketing: STATE_HOURS },
    OK: { marketing: STATE_HOURS },
    MD: { marketing: STATE_HOURS },
  },
  holidays: { appliesTo: [], types: ['public'] },
  content: { brandRequiredFor: ['marketing'], optOut: { requiredFor: ['marketing'] } },
  keywords: {
    optOut: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'],
    optIn: ['START', 'UNSTOP'],
    help: ['HELP', 'INFO'],
    confirm: ['YES'],
  },
  // CTIA Messaging Principles § 5.1.2: HELP names the program and how to opt out.
  help: {
    texts: {
      en: '{brand}: Msg frequency varies. Msg & data rates may apply. Reply STOP to opt out, START to opt back in.',
    },
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
  optOut: { appliesTo: 'all', legalDeadlineBusinessDays: 10 },
  sources: {
    quietHours:
      '47 CFR § 64.1200(c)(1) (TCPA): no telephone solicitation before 8 a.m. or after 9 p.m. at the called party’s location. Stricter state laws covering texts: Florida Telephone Solicitation Act, Fla. Stat. § 501.059(8)(a); Oklahoma Telephone Solicitation Act (15 O.S. § 775C); Maryland Stop the Spam Calls Act (2023): 8 a.m.–8 p.m.',
    holidays: 'No federal or CTIA rule against marketing texts on public holidays; not blocked.',
    signature: 'No signature format required.',
    brand:
      'CTIA Messaging Principles and Best Practices (2023) § 5: messages identify the program or brand; carriers reject unbranded 10DLC campaign traffic.',
    optOutText:
      'CTIA Messaging Principles and Best Practices § 5.1: opt-out instructions (“Reply STOP to opt out”) in recurring marketing programs.',
    forbiddenWords:
      'None by law; CTIA restricted content (SHAFT) is reviewed at 10DLC campaign registration, not by word list.',
    maxSegments:
      'Herald default (short and clear); carriers concatenate up to 10 segments (Twilio: 1,600 characters).',
    templates:
      'Not required; 10DLC campaign registration (The Campaign Registry) holds sample messages.',
    keywords:
      'Twilio default keywords: opt-out STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT; opt-in START, UNSTOP; help HELP, INFO (CTIA § 5.1).',
    frequency: 'No statutory cap; Herald default 2 per rolling 7 days, 24 h apart; OTP 5 per hour.',
    consent:
      '47 CFR § 64.1200(a)(2) and (f)(9): prior express written consent for telemarketing texts (E-SIGN signatures: web form, keyword, double opt-in); imports only with the original evidence.',
    optOut:
      'FCC 24-24 Report and Order, 47 CFR § 64.1200(a)(10)–(12): revocation by any reasonable means honoured within 10 business days, one confirmation text within 5 minutes without marketing; CTIA: STOP ends all traffic from the sender. Herald honours at once.',
  },
});

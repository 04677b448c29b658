/**
 * The strict default: what Herald applies to a country it has no pack for. Every choice leans
 * towards not texting: verified opt-in only, daytime on working days, no holidays, opt-outs
 * stop everything. National packs start from here and relax what their law allows.
 */
import { DEFAULT_KEYWORDS } from '../../keywords.js';
import type { PolicyPack } from '../policy-pack.js';
import {
  CONFIRMATION_TEXTS,
  HELP_TEXTS,
  MON_TO_SAT,
  OPT_OUT_PATTERNS,
  OPT_OUT_TEXTS,
} from './common.js';
import { deepFreeze } from '../merge.js';

export const DEFAULT_PACK: PolicyPack = deepFreeze({
  id: 'default',
  name: 'Strict default',
  countries: [],
  defaultLocale: 'en',
  quietHours: {
    marketing: { allowed: [{ days: MON_TO_SAT, start: '09:00', end: '20:00' }] },
    transactional: null,
  },
  regionalQuietHours: {},
  holidays: { appliesTo: ['marketing'], types: ['public'] },
  content: {
    signature: null,
    brandRequiredFor: ['marketing'],
    optOut: {
      requiredFor: ['marketing'],
      texts: OPT_OUT_TEXTS,
      patterns: OPT_OUT_PATTERNS,
      autoAppend: true,
    },
    forbiddenWords: { marketing: [], transactional: [] },
    maxSegments: { marketing: 3, transactional: 5 },
    templateRequiredFor: [],
    allowedLinkDomains: null,
  },
  keywords: DEFAULT_KEYWORDS,
  frequency: {
    marketing: { max: 2, windowHours: 7 * 24, minGapHours: 24 },
    transactional: null,
    oneTimeCode: { max: 5, windowHours: 1 },
  },
  consent: {
    marketing: {
      required: true,
      methods: ['double_opt_in_sms', 'double_opt_in_link', 'keyword'],
      importNeedsEvidence: true,
    },
    transactional: {
      required: false,
      methods: [
        'web_form',
        'double_opt_in_sms',
        'double_opt_in_link',
        'keyword',
        'paper',
        'verbal',
        'import',
        'existing_customer',
      ],
      importNeedsEvidence: false,
    },
  },
  optOut: {
    appliesTo: 'all',
    legalDeadlineBusinessDays: null,
    confirmation: { withinMinutes: 5, texts: CONFIRMATION_TEXTS },
  },
  help: { texts: HELP_TEXTS },
  allowedCountries: null,
  sources: {
    quietHours: 'Herald strict default: Monday–Saturday 09:00–20:00 recipient local time.',
    holidays:
      'Herald strict default: no marketing on public holidays (date-holidays, type public).',
    signature: 'Herald strict default: no signature format imposed.',
    brand: 'Herald strict default: marketing names its sender (as ePrivacy Art. 13(4), CTIA do).',
    optOutText: 'Herald strict default: opt-out instruction in every marketing text.',
    forbiddenWords: 'Herald strict default: none; settings may add words.',
    maxSegments:
      'Herald strict default: short and clear, marketing ≤ 3 segments, transactional ≤ 5.',
    templates: 'Herald strict default: registered templates not required.',
    keywords:
      'Herald strict default: DEFAULT_KEYWORDS of src/core/keywords.ts, the union of the packs’ words (CTIA, CN carriers, FR, DE).',
    frequency:
      'Herald default (DESIGN.md): marketing ≤ 2 per rolling 7 days, ≥ 24 h apart; one-time codes ≤ 5 per hour.',
    consent:
      'Herald strict default: marketing only with verified opt-in (double opt-in or keyword from the handset).',
    optOut:
      'Herald strict default: an opt-out stops all traffic at once; one confirmation without marketing.',
  },
});

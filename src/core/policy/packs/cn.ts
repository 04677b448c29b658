/**
 * China: PIPL for consent, MIIT Order No. 31 (通信短信息服务管理规定) for commercial SMS, the
 * Advertising Law for wording, and the carriers' and cloud platforms' rules (signature 【】,
 * 回复TD退订, sending hours) which reject non-conforming traffic outright.
 */
import type { PolicyPack } from '../policy-pack.js';
import { DEFAULT_PACK } from './default.js';
import { definePack, OPT_OUT_PATTERNS } from './common.js';

// date-holidays 3.37 lists only the statutory days before the 2024 revision (Spring Festival
// 16–18 Feb 2026, no 19 Feb) and none of the State Council's bridge days; these are the days
// off of the State Council notice of 4 Nov 2025 that it misses.
const CN_2026_DAYS_OFF = [
  '2026-01-02',
  '2026-01-03',
  '2026-02-15',
  '2026-02-19',
  '2026-02-20',
  '2026-02-21',
  '2026-02-22',
  '2026-02-23',
  '2026-04-04',
  '2026-04-06',
  '2026-05-02',
  '2026-05-03',
  '2026-05-04',
  '2026-05-05',
  '2026-06-20',
  '2026-06-21',
  '2026-09-26',
  '2026-09-27',
  '2026-10-04',
  '2026-10-05',
  '2026-10-06',
  '2026-10-07',
];

export const CN_PACK: PolicyPack = definePack(DEFAULT_PACK, {
  id: 'CN',
  name: 'China (PIPL, MIIT)',
  countries: ['CN'],
  defaultLocale: 'zh',
  quietHours: {
    marketing: {
      allowed: [{ start: '08:00', end: '21:00' }],
      limit: [{ start: '08:00', end: '22:00' }],
    },
    transactional: null,
  },
  holidays: {
    appliesTo: ['marketing'],
    types: ['public'],
    // Women's Day, Youth Day, Army Day (half days for some groups) and Children's Day are not
    // days off for the public, though date-holidays types them `public`.
    ignoreRules: ['03-08 12:00', '05-04 12:00', '08-01 12:00', '06-01'],
    extraDates: CN_2026_DAYS_OFF,
  },
  content: {
    signature: {
      requiredFor: ['marketing', 'transactional'],
      format: 'cn_brackets',
      minLength: 2,
      maxLength: 12,
    },
    brandRequiredFor: [],
    // Carriers look for the Chinese instruction whatever the language of the rest of the text.
    optOut: {
      requiredFor: ['marketing'],
      texts: { zh: '回复TD退订', en: '回复TD退订', fr: '回复TD退订', de: '回复TD退订' },
      patterns: OPT_OUT_PATTERNS.filter((p) => /[\u4e00-\u9fff]/u.test(p)),
    },
    forbiddenWords: { marketing: ['国家级', '最高级', '最佳'], transactional: [] },
  },
  keywords: {
    optOut: ['TD', 'T', 'N', 'R', '退订', '取消', '拒收'],
    optIn: ['订阅'],
    help: ['帮助', 'HELP'],
    confirm: ['Y', '是', '确认'],
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
  optOut: {
    appliesTo: 'marketing',
    legalDeadlineBusinessDays: null,
    confirmation: {
      withinMinutes: 5,
      texts: { zh: '【{brand}】退订成功，您将不再收到营销短信。' },
    },
  },
  help: {
    texts: {
      zh: '【{brand}】客服帮助：回复TD退订营销短信，回复“订阅”重新订阅。',
      en: '{brand}: reply TD to unsubscribe from marketing messages.',
    },
  },
  sources: {
    quietHours:
      'No statute fixes hours; carrier and cloud SMS platform rules (China Mobile/Unicom/Telecom, Tencent Cloud, Alibaba Cloud) reject marketing SMS outside 08:00–22:00; Herald default 08:00–21:00.',
    holidays:
      'Herald default (no statute): no marketing on official days off. 全国年节及纪念日放假办法 (2024 revision, State Council Order No. 795) via date-holidays, plus 国务院办公厅关于2026年部分节假日安排的通知 (4 Nov 2025) for the days date-holidays lacks.',
    signature:
      '工信部《通信短信息服务管理规定》(MIIT Order No. 31, 2015) and carrier signature registration: a registered 【签名】 at the start, 2–12 characters (Tencent Cloud / Alibaba Cloud SMS rules).',
    brand: 'Sender identified by the registered 【签名】.',
    optOutText:
      'MIIT Order No. 31 Art. 18: commercial SMS need consent and must stop on refusal; carriers require a refusal instruction such as “回复TD退订” in marketing.',
    forbiddenWords:
      '《中华人民共和国广告法》 Art. 9(3): advertising must not use “国家级”, “最高级”, “最佳” or similar terms.',
    maxSegments:
      'Herald default (short and clear); carriers bill 67 Chinese characters per long-SMS segment.',
    templates:
      'Not required by Herald; Tencent Cloud and Alibaba Cloud routes send only their own approved templates.',
    keywords: 'Carrier and platform unsubscribe replies: TD, T, N, R, 退订, 取消, 拒收.',
    frequency: 'No statutory cap; Herald default 2 per rolling 7 days, 24 h apart; OTP 5 per hour.',
    consent:
      'PIPL Art. 13–14 (consent, informed and voluntary); MIIT Order No. 31 Art. 18: no commercial SMS without the user’s consent or request.',
    optOut:
      'MIIT Order No. 31 Art. 18: stop commercial SMS once the user refuses; service notices continue. Herald honours at once.',
  },
});

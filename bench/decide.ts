/**
 * decide() throughput: a realistic mix of recipients (CN, US, FR, GB, DE; single and multi-zone
 * numbers; some opted out, suppressed, capped, in quiet hours or on a holiday) and messages
 * (marketing, transactional, one-time codes, good-window campaigns), decided on one core.
 *
 *   npx tsx bench/decide.ts [seconds]
 *
 * Last line: `BENCH decide decisions_per_s=<int>`.
 */
import type { Decision, Message, Recipient } from '../src/core/policy/decide.js';
import { decide } from '../src/core/policy/decide.js';
import type { PolicyPack } from '../src/core/policy/policy-pack.js';
import { resolvePolicy } from '../src/core/policy/resolve.js';

const seconds = Number(process.argv[2] ?? 4);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// A seeded generator, so every run decides the same cases.
let seed = 42;
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
}
function pick<T>(items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

interface Market {
  country: string;
  zones: readonly (readonly string[])[];
  brand: string;
  marketing: readonly string[];
  transactional: readonly string[];
  locale: string;
}

const NAMES = ['Ana', 'Ben', 'Chloé', 'Dev', 'Eli', 'Fay', 'Gus', 'Hana', 'Ivo', 'Jun'];
const MARKETS: readonly Market[] = [
  {
    country: 'US',
    zones: [['America/New_York'], ['America/Los_Angeles'], ['America/Chicago', 'America/Denver']],
    brand: 'Acme',
    locale: 'en',
    marketing: NAMES.map(
      (n) => `Acme: ${n}, spring sale, 20% off today only. Reply STOP to opt out`,
    ),
    transactional: ['Acme: your order 1042 has shipped.', 'Your Acme code is 482913'],
  },
  {
    country: 'CN',
    zones: [['Asia/Shanghai'], ['Asia/Shanghai', 'Asia/Urumqi']],
    brand: '好店',
    locale: 'zh',
    marketing: NAMES.map((n) => `【好店】${n}您好，春季大促全场8折，回复TD退订`),
    transactional: ['【好店】您的订单已发货', '【好店】验证码 482913，5分钟内有效'],
  },
  {
    country: 'FR',
    zones: [['Europe/Paris']],
    brand: 'Maison',
    locale: 'fr',
    marketing: NAMES.map((n) => `Maison : ${n}, -20% ce week-end. STOP SMS au 36111`),
    transactional: ['Maison : votre commande est expédiée.', 'Votre code Maison : 482913'],
  },
  {
    country: 'GB',
    zones: [['Europe/London']],
    brand: 'Shop',
    locale: 'en',
    marketing: NAMES.map((n) => `Shop: ${n}, 20% off this weekend. Reply STOP to opt out`),
    transactional: ['Shop: your parcel arrives today.', 'Your Shop code is 482913'],
  },
  {
    country: 'DE',
    zones: [['Europe/Berlin']],
    brand: 'Laden',
    locale: 'de',
    marketing: NAMES.map((n) => `Laden: ${n}, 20% Rabatt am Wochenende. Abmelden: Antworte STOP`),
    transactional: ['Laden: Ihre Bestellung ist unterwegs.', 'Ihr Laden-Code: 482913'],
  },
];

const POLICIES = new Map<string, PolicyPack>(
  MARKETS.map((m) => [m.country, resolvePolicy(m.country)]),
);
// Two weeks of spring 2026 around the US and EU DST changes, every hour of the day and night.
const START = Date.UTC(2026, 2, 2);

interface Case {
  message: Message;
  recipient: Recipient;
  policy: PolicyPack;
  now: number;
}

function makeCase(): Case {
  const market = pick(MARKETS);
  const now = START + Math.floor(random() * 28 * DAY);
  const roll = random();
  const marketingSends: number[] =
    roll < 0.1
      ? [now - 2 * DAY, now - 5 * DAY] // at the cap
      : roll < 0.2
        ? [now - 3 * HOUR] // too soon after the last one
        : roll < 0.5
          ? [now - 4 * DAY]
          : [];
  const otp = random() < 0.05 ? [1, 2, 3, 4, 5].map((i) => now - i * 5 * 60_000) : [];
  const recipient: Recipient = {
    numberValid: random() > 0.01,
    country: market.country,
    zones: pick(market.zones),
    consent: {
      marketing: {
        granted: true,
        method:
          random() < 0.05 ? 'import' : pick(['web_form', 'double_opt_in_sms', 'keyword'] as const),
        at: now - 90 * DAY,
        evidence: random() < 0.5,
      },
    },
    optedOut: random() < 0.05 ? { at: now - DAY, via: 'keyword' } : null,
    suppressed: random() < 0.02 ? { scope: 'all', reason: 'hard_bounce' } : null,
    recentSends: { marketing: marketingSends, oneTimeCodes: otp },
  };
  const kind = random();
  const message: Message =
    kind < 0.7
      ? {
          purpose: 'marketing',
          body: pick(market.marketing),
          brand: market.brand,
          locale: market.locale,
          campaignId: 'spring',
          goodWindows: random() < 0.3,
        }
      : {
          purpose: 'transactional',
          body: pick(market.transactional),
          brand: market.brand,
          locale: market.locale,
          isOneTimeCode: kind > 0.9,
        };
  return { message, recipient, policy: POLICIES.get(market.country)!, now };
}

const cases = Array.from({ length: 20_000 }, makeCase);
const tally = new Map<string, number>();
function count(decision: Decision): void {
  const key = decision.action === 'send' ? 'send' : `${decision.action}:${decision.reason}`;
  tally.set(key, (tally.get(key) ?? 0) + 1);
}

// Warm-up: fills the per-zone/day and lint memos, and lets V8 optimise.
for (const c of cases) count(decide(c.message, c.recipient, c.policy, c.now));
console.log('mix of the first pass:', Object.fromEntries([...tally].sort((a, b) => b[1] - a[1])));
for (let i = 0; i < 3; i += 1)
  for (const c of cases) decide(c.message, c.recipient, c.policy, c.now);

let decisions = 0;
let sink = 0;
const began = performance.now();
const deadline = began + seconds * 1000;
while (performance.now() < deadline) {
  for (const c of cases) {
    const decision = decide(c.message, c.recipient, c.policy, c.now);
    sink += decision.checks.length;
  }
  decisions += cases.length;
}
const elapsed = (performance.now() - began) / 1000;
const rate = Math.round(decisions / elapsed);
console.log(`${decisions} decisions in ${elapsed.toFixed(2)} s on one core (checks seen: ${sink})`);
console.log(`BENCH decide decisions_per_s=${rate}`);

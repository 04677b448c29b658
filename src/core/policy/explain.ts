/**
 * Decisions in sentences a compliance officer reads, in English or Chinese: what was decided,
 * until when (in the recipient's local time), and which rule of which policy made it so.
 */
import type { Decision, DecisionCheck, DecisionContext } from './decision.js';
import type { FrequencyCap, HoursRule } from './policy-pack.js';
import { WEEKDAYS } from './policy-pack.js';
import type { DecisionReason } from './reasons.js';
import { formatClock, formatLocal } from './time.js';
import { GOOD_WINDOWS } from './good-windows.js';
import { compileHours } from './hours.js';

export const EXPLAIN_LOCALES = ['en', 'zh'] as const;
export type ExplainLocale = (typeof EXPLAIN_LOCALES)[number];

const DAY_NAMES: Record<ExplainLocale, readonly string[]> = {
  en: ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
  zh: ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'],
};

/**
 * Hours as people write them: `08:00–21:00`, or per run of weekdays `Mon–Sat 08:00–20:00`.
 *
 * @example
 *   describeHours({ allowed: [{ days: [1, 2, 3, 4, 5, 6], start: '08:00', end: '20:00' }] }, 'en');
 *   // 'Mon–Sat 08:00–20:00'
 */
export function describeHours(rule: HoursRule | null, locale: ExplainLocale): string {
  const byWeekday = compileHours(rule).byWeekday;
  const text = (ranges: readonly number[]) => {
    const parts: string[] = [];
    for (let i = 0; i < ranges.length; i += 2) {
      parts.push(`${formatClock(ranges[i]!)}–${formatClock(ranges[i + 1]!)}`);
    }
    return parts.join(', ');
  };
  const runs: { from: number; to: number; hours: string }[] = [];
  for (const day of WEEKDAYS) {
    const hours = text(byWeekday[day]!);
    const last = runs.at(-1);
    if (last && last.hours === hours && last.to === day - 1) last.to = day;
    else runs.push({ from: day, to: day, hours });
  }
  const open = runs.filter((run) => run.hours !== '');
  if (open.length === 1 && open[0]!.from === 1 && open[0]!.to === 7) return open[0]!.hours;
  if (open.length === 0) return locale === 'zh' ? '不允许发送' : 'never';
  const names = DAY_NAMES[locale];
  const sep = locale === 'zh' ? '至' : '–';
  return open
    .map((run) => {
      const days =
        run.from === run.to ? names[run.from] : `${names[run.from]}${sep}${names[run.to]}`;
      return `${days} ${run.hours}`;
    })
    .join(locale === 'zh' ? '，' : ', ');
}

function describeWindow(hours: number, locale: ExplainLocale): string {
  if (hours % 24 === 0) {
    const days = hours / 24;
    if (locale === 'zh') return `${days} 天`;
    return days === 1 ? 'day' : `${days} days`;
  }
  if (locale === 'zh') return `${hours} 小时`;
  return hours === 1 ? 'hour' : `${hours} hours`;
}

const PURPOSE_ZH = { marketing: '营销', transactional: '通知类' } as const;

function capText(cap: FrequencyCap | null, locale: ExplainLocale): string {
  if (!cap) return '';
  const gap = cap.minGapHours ?? 0;
  if (locale === 'zh') {
    return `每 ${describeWindow(cap.windowHours, locale)}最多 ${cap.max} 条${gap ? `，间隔至少 ${gap} 小时` : ''}`;
  }
  return `at most ${cap.max} per ${describeWindow(cap.windowHours, locale)}${gap ? `, at least ${gap} h apart` : ''}`;
}

function phrase(check: DecisionCheck, ctx: DecisionContext, locale: ExplainLocale): string {
  const id = ctx.policyId;
  const detail = check.detail ?? '';
  const zones = ctx.zones.length > 1 ? ctx.zones.join(', ') : '';
  if (locale === 'zh') {
    const p = PURPOSE_ZH[ctx.purpose];
    const zh: Record<DecisionReason, () => string> = {
      invalid_number: () => '号码无效',
      country_not_allowed: () => `设置不允许向 ${detail} 发送`,
      suppressed: () => `号码在屏蔽名单中（${detail}）`,
      opted_out: () => `联系人已退订（${detail}）`,
      no_consent: () => `没有${p}短信的同意记录`,
      consent_method_insufficient: () => `同意方式（${detail}）不符合 ${id} 政策对${p}短信的要求`,
      template_not_registered: () => `${id} 政策要求使用已报备的模板，该短信未使用`,
      content_noncompliant: () => `内容不符合 ${id} 政策（${detail}）`,
      holiday: () => `公众假日（${detail}；${id} 政策在公众假日不发送${p}短信）`,
      quiet_hours: () =>
        `免打扰时段（${id} 政策仅允许在收件人当地时间${zones ? `（${zones} 均须满足）` : ''} ${describeHours(ctx.hours, locale)} 发送${p}短信）`,
      good_window: () =>
        `不在活动要求的黄金时段（${describeHours({ allowed: GOOD_WINDOWS }, locale)}，且在允许时段内）`,
      frequency_cap: () => `频次上限（${id} 政策：${p}短信${capText(ctx.frequency, locale)}）`,
      flood_limit: () => `验证码防刷上限（每个号码${capText(ctx.flood, locale)}）`,
    };
    return zh[check.reason]();
  }
  const en: Record<DecisionReason, () => string> = {
    invalid_number: () => 'the number is not a valid phone number',
    country_not_allowed: () => `the settings do not allow sending to ${detail}`,
    suppressed: () => `the number is on the suppression list (${detail})`,
    opted_out: () => `the contact opted out (${detail})`,
    no_consent: () => `no ${ctx.purpose} consent on record at the time of sending`,
    consent_method_insufficient: () =>
      `the consent (${detail}) is not of a kind the ${id} policy accepts for ${ctx.purpose}`,
    template_not_registered: () =>
      `the ${id} policy requires a registered template and the text has none`,
    content_noncompliant: () => `the text breaks the ${id} content rules (${detail})`,
    holiday: () =>
      `public holiday ${detail} (${id} policy sends no ${ctx.purpose} on public holidays)`,
    quiet_hours: () =>
      `quiet hours (${id} policy allows ${ctx.purpose} ${describeHours(ctx.hours, locale)} recipient local time${zones ? ` in every zone of the number: ${zones}` : ''})`,
    good_window: () =>
      `outside the good windows the campaign asked for (${describeHours({ allowed: GOOD_WINDOWS }, locale)}, within the allowed hours)`,
    frequency_cap: () =>
      `frequency cap (${id} policy: ${ctx.purpose} ${capText(ctx.frequency, locale)})`,
    flood_limit: () => `one-time code flood limit (${capText(ctx.flood, locale)} per number)`,
  };
  return en[check.reason]();
}

/**
 * @example
 *   explainDecision(decision, 'en');
 *   // 'Deferred until 2026-03-09 08:00 America/New_York: quiet hours (US policy allows marketing
 *   //  08:00–21:00 recipient local time).'
 *   explainDecision(decision, 'zh');
 *   // '推迟至 2026-03-09 08:00（America/New_York）：免打扰时段（US 政策仅允许在收件人当地时间 08:00–21:00 发送营销短信）。'
 */
export function explainDecision(decision: Decision, locale: ExplainLocale): string {
  const ctx = decision.context;
  const zh = locale === 'zh';
  if (decision.action === 'send') {
    return zh
      ? `立即发送：${ctx.policyId} 政策的各项检查均已通过。`
      : `Send now: every check of the ${ctx.policyId} policy passed.`;
  }
  const failed = decision.checks.filter((c) => !c.passed);
  const main = failed.find((c) => c.reason === decision.reason) ?? {
    reason: decision.reason,
    passed: false,
  };
  const others = failed.filter((c) => c !== main).map((c) => phrase(c, ctx, locale));
  const also =
    others.length === 0 ? '' : zh ? `另外：${others.join('；')}。` : ` Also: ${others.join('; ')}.`;
  if (decision.action === 'block') {
    return zh ? `已阻止：${phrase(main, ctx, locale)}。` : `Blocked: ${phrase(main, ctx, locale)}.`;
  }
  const zone = ctx.zones[0] ?? 'UTC';
  const when = formatLocal(decision.until.getTime(), zone);
  return zh
    ? `推迟至 ${when}（${zone}）：${phrase(main, ctx, locale)}。${also}`
    : `Deferred until ${when} ${zone}: ${phrase(main, ctx, locale)}.${also}`;
}

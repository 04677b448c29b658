/**
 * Packs rendered for people: one Markdown table per pack, each field with the rule Herald
 * applies and its legal or industry source. docs/compliance.md carries these tables and a test
 * keeps it equal to the data, so the documentation cannot drift from what decide() does.
 */
import { describeHours } from './explain.js';
import type { PolicyField, PolicyPack } from './policy-pack.js';
import { POLICY_FIELDS } from './policy-pack.js';
import { PURPOSES } from './purposes.js';

const FIELD_TITLES: Record<PolicyField, string> = {
  quietHours: 'Quiet hours',
  holidays: 'Public holidays',
  signature: 'Sender signature',
  brand: 'Brand in text',
  optOutText: 'Opt-out text',
  forbiddenWords: 'Forbidden words',
  maxSegments: 'Max segments',
  templates: 'Registered templates',
  keywords: 'Keywords',
  frequency: 'Frequency caps',
  consent: 'Consent',
  optOut: 'Opt-out handling',
};

function list(items: readonly string[]): string {
  return items.length ? items.join(', ') : 'none';
}

function summary(pack: PolicyPack, field: PolicyField): string {
  const c = pack.content;
  switch (field) {
    case 'quietHours': {
      const parts = PURPOSES.map((p) => {
        const rule = pack.quietHours[p];
        if (!rule) return `${p}: any time`;
        const limit = rule.limit
          ? ` (legal limit ${describeHours({ allowed: rule.limit }, 'en')})`
          : '';
        return `${p}: ${describeHours(rule, 'en')}${limit}`;
      });
      for (const [region, rules] of Object.entries(pack.regionalQuietHours)) {
        for (const [p, rule] of Object.entries(rules))
          parts.push(`${region} ${p}: ${describeHours(rule ?? null, 'en')}`);
      }
      return parts.join('; ');
    }
    case 'holidays': {
      const h = pack.holidays;
      if (h.appliesTo.length === 0) return 'not blocked';
      const extra = h.extraDates?.length ? `; plus ${h.extraDates.length} official days off` : '';
      const ignored = h.ignoreRules?.length ? `; ignoring ${list(h.ignoreRules)}` : '';
      return `no ${list(h.appliesTo)} on ${list(h.types)} holidays${extra}${ignored}`;
    }
    case 'signature':
      return c.signature
        ? `【…】 at the start, ${c.signature.minLength}–${c.signature.maxLength} characters, for ${list(c.signature.requiredFor)}`
        : 'none';
    case 'brand':
      return c.brandRequiredFor.length ? `required in ${list(c.brandRequiredFor)}` : 'not required';
    case 'optOutText':
      return c.optOut.requiredFor.length
        ? `required in ${list(c.optOut.requiredFor)}: “${c.optOut.texts[pack.defaultLocale] ?? c.optOut.texts.en}”${c.optOut.autoAppend ? ' (auto-appended)' : ''}`
        : 'not required';
    case 'forbiddenWords':
      return PURPOSES.map((p) => `${p}: ${list(c.forbiddenWords[p])}`).join('; ');
    case 'maxSegments':
      return PURPOSES.map((p) => `${p}: ${c.maxSegments[p]}`).join('; ');
    case 'templates':
      return c.templateRequiredFor.length
        ? `required for ${list(c.templateRequiredFor)}`
        : 'not required';
    case 'keywords': {
      const k = pack.keywords;
      return `opt-out ${list(k.optOut)}; opt-in ${list(k.optIn)}; help ${list(k.help)}; confirm ${list(k.confirm)}`;
    }
    case 'frequency':
      return (['marketing', 'transactional', 'oneTimeCode'] as const)
        .map((b) => {
          const cap = pack.frequency[b];
          if (!cap) return `${b}: unlimited`;
          return `${b}: ≤ ${cap.max} per ${cap.windowHours} h${cap.minGapHours ? `, ≥ ${cap.minGapHours} h apart` : ''}`;
        })
        .join('; ');
    case 'consent':
      return PURPOSES.map((p) => {
        const r = pack.consent[p];
        if (!r.required) return `${p}: no record required`;
        return `${p}: ${list(r.methods)}${r.importNeedsEvidence && r.methods.includes('import') ? ' (import only with evidence)' : ''}`;
      }).join('; ');
    case 'optOut': {
      const o = pack.optOut;
      const deadline =
        o.legalDeadlineBusinessDays === null
          ? 'without delay'
          : `${o.legalDeadlineBusinessDays} business days`;
      return `stops ${o.appliesTo === 'all' ? 'all messages' : 'marketing'}; legal deadline ${deadline}, Herald at once; ${o.confirmation ? 'one confirmation' : 'no confirmation'}`;
    }
  }
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * @example
 *   renderPolicyTable(getPolicyPack('US')).split('\n')[0];
 *   // '### US — United States (TCPA, CTIA)'
 */
export function renderPolicyTable(pack: PolicyPack): string {
  const lines = [
    `### ${pack.id} — ${pack.name}`,
    '',
    `Countries: ${pack.countries.length ? pack.countries.join(', ') : pack.id === 'EU' ? 'EU and EEA states without a national pack' : 'every country without a pack'}. Default locale: ${pack.defaultLocale}.`,
    '',
    '| Field | Rule in Herald | Source |',
    '| --- | --- | --- |',
    ...POLICY_FIELDS.map(
      (f) => `| ${FIELD_TITLES[f]} | ${cell(summary(pack, f))} | ${cell(pack.sources[f])} |`,
    ),
  ];
  return lines.join('\n');
}

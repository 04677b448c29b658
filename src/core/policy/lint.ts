/**
 * Content lint against a policy: what a carrier would reject or a regulator would fault, said
 * before the campaign goes out. Errors make the text non-compliant (decide() blocks it);
 * warnings and infos are advice. With auto-append the missing opt-out text is added and the
 * fixed text returned.
 */
import { inspectText } from '../content/encoding.js';
import { checkLinkTarget, findLinks } from '../content/links.js';
import { isHeraldError } from '../errors.js';
import type { PolicyPack } from './policy-pack.js';
import type { Purpose } from './purposes.js';

export const LINT_CODES = [
  'empty_body',
  'signature_missing',
  'signature_length',
  'signature_repeated',
  'signature_brand_mismatch',
  'brand_missing',
  'opt_out_missing',
  'opt_out_appended',
  'forbidden_word',
  'link_not_allowed',
  'too_many_segments',
  'smart_encoding',
] as const;
export type LintCode = (typeof LINT_CODES)[number];

export const LINT_SEVERITIES = ['error', 'warning', 'info'] as const;
export type LintSeverity = (typeof LINT_SEVERITIES)[number];

export interface LintIssue {
  code: LintCode;
  message: string;
  severity: LintSeverity;
}

export interface LintOptions {
  purpose: Purpose;
  policy: PolicyPack;
  /** `en`, `zh`, `fr`, `de`; picks the opt-out wording to append. Default: the pack's locale. */
  locale?: string;
  brand?: string;
  /** Append the opt-out text when missing; default: the pack's `content.optOut.autoAppend`. */
  autoAppendOptOut?: boolean;
  /** Link hosts allowed; default: the pack's `content.allowedLinkDomains` (null: not checked). */
  allowedLinkDomains?: readonly string[];
}

export interface LintResult {
  ok: boolean;
  issues: LintIssue[];
  /** The text with the fixes applied (opt-out appended); absent when nothing was changed. */
  fixedText?: string;
}

const compiledPatterns = new WeakMap<readonly string[], RegExp[]>();

function optOutPatterns(patterns: readonly string[]): RegExp[] {
  let list = compiledPatterns.get(patterns);
  if (!list) {
    list = patterns.map((p) => new RegExp(p, 'iu'));
    compiledPatterns.set(patterns, list);
  }
  return list;
}

// Why a link would be refused (scheme, userinfo, domain, invalid), or null if it may be shortened.
function linkRefusal(url: string, domains: readonly string[]): string | null {
  try {
    checkLinkTarget(url, domains);
    return null;
  } catch (error) {
    if (isHeraldError(error) && error.code === 'LINK_NOT_ALLOWED') {
      return (error.details as { reason?: string } | undefined)?.reason ?? 'domain';
    }
    throw error;
  }
}

const CJK_END = /[。！？；，、!?.…]$/u;

// Chinese texts run on after a comma ("…全场8折，回复TD退订"); Latin ones get their own line,
// which also keeps the text away from a trailing link.
function appendOptOut(body: string, optOutText: string, locale: string): string {
  const text = body.trimEnd();
  if (locale === 'zh') return text + (CJK_END.test(text) ? '' : '，') + optOutText;
  return `${text}\n${optOutText}`;
}

function count(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n += 1;
  return n;
}

function lintSignature(text: string, options: LintOptions, issues: LintIssue[]): void {
  const rule = options.policy.content.signature;
  if (!rule || !rule.requiredFor.includes(options.purpose)) return;
  if (count(text, '【') > 1 || count(text, '】') > 1) {
    issues.push({
      code: 'signature_repeated',
      severity: 'error',
      message: 'The brackets 【】 may appear only once, around the signature at the start',
    });
  }
  const match = /^【([^【】]*)】/u.exec(text);
  if (!match) {
    issues.push({
      code: 'signature_missing',
      severity: 'error',
      message: 'The text must start with the registered signature in 【】, e.g. 【Brand】',
    });
    return;
  }
  const signature = match[1]!.trim();
  const length = [...signature].length;
  if (length < rule.minLength || length > rule.maxLength) {
    issues.push({
      code: 'signature_length',
      severity: 'error',
      message: `The signature must have ${rule.minLength}–${rule.maxLength} characters (has ${length})`,
    });
  }
  if (options.brand && signature !== options.brand) {
    issues.push({
      code: 'signature_brand_mismatch',
      severity: 'warning',
      message: `The signature 【${signature}】 is not the brand ${options.brand}`,
    });
  }
}

/**
 * @example
 *   lintContent('春季大促，全场8折', { purpose: 'marketing', policy: resolvePolicy('CN'), brand: '好店' });
 *   // { ok: false, issues: [signature_missing (error), opt_out_appended (info)],
 *   //   fixedText: '春季大促，全场8折，回复TD退订' }
 */
export function lintContent(body: string, options: LintOptions): LintResult {
  const { policy, purpose } = options;
  const rules = policy.content;
  const locale = options.locale ?? policy.defaultLocale;
  const issues: LintIssue[] = [];
  if (body.trim() === '') {
    issues.push({ code: 'empty_body', severity: 'error', message: 'The text is empty' });
    return { ok: false, issues };
  }

  let text = body;
  if (
    rules.optOut.requiredFor.includes(purpose) &&
    !optOutPatterns(rules.optOut.patterns).some((re) => re.test(text))
  ) {
    const wording =
      rules.optOut.texts[locale] ??
      rules.optOut.texts[policy.defaultLocale] ??
      rules.optOut.texts.en;
    if ((options.autoAppendOptOut ?? rules.optOut.autoAppend) && wording) {
      text = appendOptOut(text, wording, locale);
      issues.push({
        code: 'opt_out_appended',
        severity: 'info',
        message: `Opt-out text appended: “${wording}”`,
      });
    } else {
      issues.push({
        code: 'opt_out_missing',
        severity: 'error',
        message: `Marketing must say how to opt out, e.g. “${wording ?? 'Reply STOP to opt out'}”`,
      });
    }
  }

  lintSignature(text, options, issues);

  if (rules.brandRequiredFor.includes(purpose)) {
    if (!options.brand) {
      issues.push({
        code: 'brand_missing',
        severity: 'error',
        message: `The ${policy.id} policy requires the brand name in ${purpose} texts; no brand is set`,
      });
    } else if (!text.toLowerCase().includes(options.brand.toLowerCase())) {
      issues.push({
        code: 'brand_missing',
        severity: 'error',
        message: `The text must name the sender (${options.brand})`,
      });
    }
  }

  const lower = text.toLowerCase();
  for (const word of rules.forbiddenWords[purpose]) {
    if (lower.includes(word.toLowerCase())) {
      issues.push({
        code: 'forbidden_word',
        severity: 'error',
        message: `“${word}” is not allowed in ${purpose} texts under the ${policy.id} policy`,
      });
    }
  }

  const domains = options.allowedLinkDomains ?? rules.allowedLinkDomains;
  if (domains) {
    for (const url of findLinks(text)) {
      const refusal = linkRefusal(url, domains);
      if (refusal) {
        issues.push({
          code: 'link_not_allowed',
          severity: 'error',
          message: `The link ${url} is refused (${refusal}); allowed domains: ${domains.join(', ') || 'none'}`,
        });
      }
    }
  }

  const inspection = inspectText(text);
  const max = rules.maxSegments[purpose];
  if (inspection.segments > max) {
    issues.push({
      code: 'too_many_segments',
      severity: 'error',
      message: `${inspection.segments} segments (${inspection.encoding}); the ${policy.id} policy allows ${max} for ${purpose}`,
    });
  }
  if (inspection.encoding === 'UCS-2' && inspection.gsmIfReplaced) {
    issues.push({
      code: 'smart_encoding',
      severity: 'info',
      message: `Replacing ${inspection.unicodeCharacters.join(' ')} would make the text GSM-7 (cheaper, longer segments)`,
    });
  }

  const ok = !issues.some((issue) => issue.severity === 'error');
  return text === body ? { ok, issues } : { ok, issues, fixedText: text };
}

/**
 * Lint results memoised per policy: the texts of a campaign repeat (or repeat per template
 * variable), and the lint (segmentation above all) costs far more than the rest of a decision.
 * A pure memo with a size bound.
 */
import type { Message } from './decision.js';
import type { LintResult } from './lint.js';
import { lintContent } from './lint.js';
import type { PolicyPack } from './policy-pack.js';
import type { Purpose } from './purposes.js';

// Nested maps keyed by the strings themselves: a concatenated key would be hashed afresh.
interface Memo {
  size: number;
  byPurpose: Map<Purpose, Map<string, Map<string, Map<string, LintResult>>>>;
}
const memos = new WeakMap<PolicyPack, Memo>();
const MAX_ENTRIES = 20_000;

function child<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
}

/**
 * The lint of a message's final text under a policy (nothing appended: a missing opt-out is an
 * error here), or the result the composer attached.
 *
 * @example
 *   lintFor({ purpose: 'transactional', body: '您的订单已发货' }, resolvePolicy('CN')).ok; // false
 */
export function lintFor(message: Message, policy: PolicyPack): LintResult {
  if (message.lint) return message.lint;
  let memo = memos.get(policy);
  if (!memo || memo.size >= MAX_ENTRIES)
    memos.set(policy, (memo = { size: 0, byPurpose: new Map() }));
  const brand = message.brand ?? message.sender ?? '';
  const locale = message.locale ?? policy.defaultLocale;
  const byLocale = child(memo.byPurpose, message.purpose, () => new Map());
  const byBrand = child(byLocale, locale, () => new Map());
  const byBody = child(byBrand, brand, () => new Map<string, LintResult>());
  let result = byBody.get(message.body);
  if (!result) {
    result = lintContent(message.body, {
      purpose: message.purpose,
      policy,
      locale,
      autoAppendOptOut: false,
      ...(brand ? { brand } : {}),
    });
    byBody.set(message.body, result);
    memo.size += 1;
  }
  return result;
}

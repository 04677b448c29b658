/**
 * From a Herald message to what one Tencent SendSms call carries: the approved template id and
 * its values in order ({1}, {2}, ...), the signature, and which messages may share a call (one
 * template, one set of values, one signature, all mainland numbers or all abroad, up to 200).
 */
import type { OutgoingSms, SendResult } from './carrier.js';

/** A Tencent template: its id and the Herald variables for its {1}, {2}, ... in order. */
export interface TencentTemplate {
  readonly templateId: string;
  readonly params: readonly string[];
}

export type TencentTemplateMap = Readonly<Record<string, TencentTemplate>>;

type Failure = Extract<SendResult, { status: 'failed' }>;

/** A message ready for a call; `index` is its place in the batch the caller gave. */
export interface TencentPrepared {
  readonly index: number;
  readonly to: string;
  readonly templateId: string;
  readonly params: readonly string[];
  readonly signName: string;
  readonly messageId: number;
}

const unmapped = (errorCode: string, detail: string): Failure => ({
  status: 'failed',
  errorCode,
  permanent: true,
  detail,
});

/**
 * @example
 *   prepareTencentMessage({ ...sms, template: { key: 'otp.login', variables: { code: '4289' } } },
 *     0, { 'otp.login': { templateId: '1110', params: ['code'] } }, 'Herald');
 *   // { index: 0, to, templateId: '1110', params: ['4289'], signName: 'Herald', messageId }
 */
export function prepareTencentMessage(
  message: OutgoingSms,
  index: number,
  templates: TencentTemplateMap,
  signName: string,
): TencentPrepared | Failure {
  const ref = message.template;
  if (!ref) return unmapped('TEMPLATE_UNMAPPED', 'tencent sends approved templates only');
  const template = templates[ref.key];
  if (!template) return unmapped('TEMPLATE_UNMAPPED', `no Tencent template for ${ref.key}`);
  const missing = template.params.filter((name) => ref.variables[name] === undefined);
  if (missing.length > 0) {
    return unmapped('TEMPLATE_VARIABLE_MISSING', `template ${ref.key} lacks ${missing.join(', ')}`);
  }
  return {
    index,
    to: message.to,
    templateId: template.templateId,
    params: template.params.map((name) => ref.variables[name]!),
    signName: message.sender ?? signName,
    messageId: message.messageId,
  };
}

/** Messages with equal keys may share a call. */
export function callKey(m: TencentPrepared): string {
  return JSON.stringify([m.templateId, m.params, m.signName, m.to.startsWith('+86')]);
}

/**
 * Calls of at most `size` numbers. A number twice in one call would leave its two statuses
 * indistinguishable, so a repeat starts the next call.
 */
export function splitIntoCalls(
  items: readonly TencentPrepared[],
  size: number,
): TencentPrepared[][] {
  const calls: TencentPrepared[][] = [];
  let current: TencentPrepared[] = [];
  let numbers = new Set<string>();
  for (const item of items) {
    if (current.length === size || numbers.has(item.to)) {
      calls.push(current);
      current = [];
      numbers = new Set();
    }
    current.push(item);
    numbers.add(item.to);
  }
  if (current.length > 0) calls.push(current);
  return calls;
}

/**
 * From a Herald message to what an Alibaba SendSms / SendBatchSms call carries: the approved
 * TemplateCode, the values of its ${name} variables, the signature and the number in Alibaba's
 * form. Messages that share a TemplateCode may share a SendBatchSms call of up to 100 numbers,
 * each with its own signature and values.
 */
import { toAliyunNumber } from './aliyun-callbacks.js';
import type { OutgoingSms, SendResult } from './carrier.js';

/** An Alibaba template: its code, and for each of its variables the Herald variable to use. */
export interface AliyunTemplate {
  readonly templateCode: string;
  readonly params: Readonly<Record<string, string>>;
}

export type AliyunTemplateMap = Readonly<Record<string, AliyunTemplate>>;

type Failure = Extract<SendResult, { status: 'failed' }>;

/** A message ready for a call; `index` is its place in the batch the caller gave. */
export interface AliyunPrepared {
  readonly index: number;
  /** As Alibaba wants it: 11 digits in mainland China, else country code and number. */
  readonly number: string;
  readonly templateCode: string;
  readonly values: Readonly<Record<string, string>>;
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
 *   prepareAliyunMessage({ ...sms, template: { key: 'otp.login', variables: { otp: '4289' } } },
 *     0, { 'otp.login': { templateCode: 'SMS_1', params: { code: 'otp' } } }, 'Herald');
 *   // { index: 0, number: '139...', templateCode: 'SMS_1', values: { code: '4289' }, ... }
 */
export function prepareAliyunMessage(
  message: OutgoingSms,
  index: number,
  templates: AliyunTemplateMap,
  signName: string,
): AliyunPrepared | Failure {
  const ref = message.template;
  if (!ref) return unmapped('TEMPLATE_UNMAPPED', 'aliyun sends approved templates only');
  const template = templates[ref.key];
  if (!template) return unmapped('TEMPLATE_UNMAPPED', `no Alibaba template for ${ref.key}`);
  const entries = Object.entries(template.params);
  const missing = entries.filter(([, name]) => ref.variables[name] === undefined);
  if (missing.length > 0) {
    const names = missing.map(([, name]) => name).join(', ');
    return unmapped('TEMPLATE_VARIABLE_MISSING', `template ${ref.key} lacks ${names}`);
  }
  return {
    index,
    number: toAliyunNumber(message.to),
    templateCode: template.templateCode,
    values: Object.fromEntries(entries.map(([variable, name]) => [variable, ref.variables[name]!])),
    signName: message.sender ?? signName,
    messageId: message.messageId,
  };
}

/**
 * Calls of at most `size` numbers. A number twice in one batch would get one id for two
 * messages, so a repeat starts the next call.
 */
export function splitIntoCalls(items: readonly AliyunPrepared[], size: number): AliyunPrepared[][] {
  const calls: AliyunPrepared[][] = [];
  let current: AliyunPrepared[] = [];
  let numbers = new Set<string>();
  for (const item of items) {
    if (current.length === size || numbers.has(item.number)) {
      calls.push(current);
      current = [];
      numbers = new Set();
    }
    current.push(item);
    numbers.add(item.number);
  }
  if (current.length > 0) calls.push(current);
  return calls;
}

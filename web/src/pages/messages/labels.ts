/**
 * Words for Herald's closed sets, shared by the dashboard, the message log and the inbox:
 * message states, purposes, decision reasons, inbound intents and what Herald did with a reply.
 * A value without a label (a carrier's own error code) is shown as it is.
 */
import { defineStrings } from '../../lib/i18n';

export const MESSAGE_STATUSES = [
  'queued',
  'deferred',
  'sending',
  'submitted',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'expired',
  'unknown',
  'blocked',
  'cancelled',
  'paused',
] as const;

export const PURPOSES = ['marketing', 'transactional'] as const;

export const DECISION_REASONS = [
  'no_consent',
  'opted_out',
  'suppressed',
  'invalid_number',
  'country_not_allowed',
  'consent_method_insufficient',
  'template_not_registered',
  'content_noncompliant',
  'quiet_hours',
  'holiday',
  'good_window',
  'frequency_cap',
  'flood_limit',
] as const;

export const INBOUND_INTENTS = ['opt_out', 'opt_in', 'help', 'confirm', 'other'] as const;

const useLabelStrings = defineStrings('messageLabels', {
  en: {
    'status.queued': 'Queued',
    'status.deferred': 'Deferred',
    'status.sending': 'Sending',
    'status.submitted': 'Submitted',
    'status.sent': 'Sent',
    'status.delivered': 'Delivered',
    'status.undelivered': 'Undelivered',
    'status.failed': 'Failed',
    'status.expired': 'Expired',
    'status.unknown': 'Unknown',
    'status.blocked': 'Blocked',
    'status.cancelled': 'Cancelled',
    'status.paused': 'Paused',
    'purpose.marketing': 'Marketing',
    'purpose.transactional': 'Transactional',
    'reason.no_consent': 'No consent',
    'reason.opted_out': 'Opted out',
    'reason.suppressed': 'Suppressed',
    'reason.invalid_number': 'Invalid number',
    'reason.country_not_allowed': 'Country not allowed',
    'reason.consent_method_insufficient': 'Consent method not enough',
    'reason.template_not_registered': 'Template not registered',
    'reason.content_noncompliant': 'Content not compliant',
    'reason.quiet_hours': 'Quiet hours',
    'reason.holiday': 'Public holiday',
    'reason.good_window': 'Outside the sending window',
    'reason.frequency_cap': 'Frequency cap',
    'reason.flood_limit': 'Too many codes requested',
    'reason.erased': 'Contact erased',
    'reason.lease_expired': 'Carrier answer lost',
    'kind.doi_confirmation': 'Double opt-in request',
    'kind.opt_out_confirmation': 'Opt-out confirmation',
    'kind.opt_in_confirmation': 'Opt-in confirmation',
    'kind.help_reply': 'Help reply',
    'kind.campaign': 'Campaign',
    'kind.api': 'API',
    'kind.otp': 'One-time code',
    'intent.opt_out': 'Opt-out',
    'intent.opt_in': 'Opt-in',
    'intent.help': 'Help',
    'intent.confirm': 'Confirmation',
    'intent.other': 'Other',
    'action.confirmed': 'Subscription confirmed',
    'action.confirm_failed': 'Confirmation failed',
    'action.opted_out': 'Opted out, confirmation sent',
    'action.opted_in': 'Subscribed again',
    'action.help_sent': 'Help text sent',
    'action.stored': 'Kept for a person to read',
    'action.ignored': 'Ignored',
    'action.duplicate': 'Repeat, already handled',
    'action.none': 'Not recorded',
  },
  zh: {
    'status.queued': '排队中',
    'status.deferred': '已延后',
    'status.sending': '发送中',
    'status.submitted': '已提交',
    'status.sent': '已发送',
    'status.delivered': '已送达',
    'status.undelivered': '未送达',
    'status.failed': '失败',
    'status.expired': '已过期',
    'status.unknown': '状态未知',
    'status.blocked': '已拦截',
    'status.cancelled': '已取消',
    'status.paused': '已暂停',
    'purpose.marketing': '营销',
    'purpose.transactional': '通知',
    'reason.no_consent': '无授权同意',
    'reason.opted_out': '已退订',
    'reason.suppressed': '在屏蔽名单中',
    'reason.invalid_number': '号码无效',
    'reason.country_not_allowed': '不允许发往该国家或地区',
    'reason.consent_method_insufficient': '同意方式不符合要求',
    'reason.template_not_registered': '模板未报备',
    'reason.content_noncompliant': '内容不合规',
    'reason.quiet_hours': '免打扰时段',
    'reason.holiday': '法定节假日',
    'reason.good_window': '不在发送时段内',
    'reason.frequency_cap': '超出频次上限',
    'reason.flood_limit': '验证码请求过多',
    'reason.erased': '联系人已删除',
    'reason.lease_expired': '未收到运营商应答',
    'kind.doi_confirmation': '双重确认请求',
    'kind.opt_out_confirmation': '退订确认',
    'kind.opt_in_confirmation': '订阅确认',
    'kind.help_reply': '帮助回复',
    'kind.campaign': '营销活动',
    'kind.api': 'API',
    'kind.otp': '验证码',
    'intent.opt_out': '退订',
    'intent.opt_in': '重新订阅',
    'intent.help': '帮助',
    'intent.confirm': '确认',
    'intent.other': '其他',
    'action.confirmed': '已确认订阅',
    'action.confirm_failed': '确认失败',
    'action.opted_out': '已退订并回复确认',
    'action.opted_in': '已重新订阅',
    'action.help_sent': '已回复帮助信息',
    'action.stored': '已存入收件箱待处理',
    'action.ignored': '已忽略',
    'action.duplicate': '重复消息，已处理过',
    'action.none': '未记录',
  },
});

/** Labels of the closed sets; an unknown value comes back as it is. */
export function useLabels() {
  const t = useLabelStrings();
  const pick = (prefix: string, value: string | null | undefined): string => {
    if (!value) return '–';
    const key = `${prefix}.${value}`;
    const text = t(key as 'status.queued');
    return text === key ? value : text;
  };
  return {
    status: (s: string) => pick('status', s),
    purpose: (p: string) => pick('purpose', p),
    kind: (k: string) => pick('kind', k),
    reason: (r: string | null | undefined) => pick('reason', r),
    intent: (i: string) => pick('intent', i),
    action: (a: string | null) => (a ? pick('action', a) : t('action.none')),
  };
}

/** What the API answers for one message (numbers masked). */
export interface MessageView {
  readonly id: number;
  readonly to: string | null;
  readonly contactId: number | null;
  readonly country: string | null;
  readonly purpose: string;
  readonly kind: string;
  readonly status: string;
  readonly errorCode: string | null;
  readonly body: string | null;
  readonly segments: number;
  readonly sender: string | null;
  readonly carrier: string | null;
  readonly carrierMessageId: string | null;
  readonly campaignId: number | null;
  readonly notBefore: string;
  readonly attempts: number;
  readonly createdAt: string;
  readonly sentAt: string | null;
  readonly deliveredAt: string | null;
  readonly decision: { action: string; reason?: string; until?: string } | null;
  readonly history?: {
    at: string;
    status: string;
    detail: string | null;
    carrier: string | null;
  }[];
}

export interface MessagePage {
  readonly items: MessageView[];
  readonly nextBefore: number | null;
}

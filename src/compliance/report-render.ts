/**
 * The compliance report as CSV (one row per sent marketing message with the consent event it
 * relied on and its findings; streamed, cells guarded against formula injection) and as one
 * HTML page fit for print (A4, bilingual headings, nothing loaded from elsewhere, every value
 * escaped).
 */
import { csvRows } from '../core/csv.js';
import type { AppContext } from '../app-context.js';
import { marketingEvidence, type ComplianceReport, type Period } from './report.js';

export const EVIDENCE_COLUMNS = [
  'message_id',
  'campaign_id',
  'contact_id',
  'sent_at',
  'country',
  'consent_event_id',
  'consent_action',
  'consent_method',
  'consent_at',
  'compliant',
  'problems',
] as const;

export async function* evidenceCsv(ctx: AppContext, period: Period): AsyncGenerator<string> {
  yield csvRows([[...EVIDENCE_COLUMNS]]);
  for await (const page of marketingEvidence(ctx, period)) {
    yield csvRows(
      page.map((r) => [
        r.messageId,
        r.campaignId,
        r.contactId,
        r.sentAt,
        r.country,
        r.consent?.eventId,
        r.consent?.action,
        r.consent?.method,
        r.consent?.at,
        r.findings.length === 0 ? 'yes' : 'no',
        r.findings.map((f) => (f.detail ? `${f.problem}: ${f.detail}` : f.problem)).join('; '),
      ]),
    );
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (v: unknown): string =>
  String(v ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const PROBLEM_LABELS: Record<string, string> = {
  no_consent: 'No marketing consent at send time · 发送时无营销同意',
  suppressed: 'Sent to a suppressed number · 发送至屏蔽号码',
  quiet_hours: 'Sent in quiet hours · 免打扰时段发送',
  holiday: 'Sent on a holiday · 节假日发送',
  unverifiable: 'Contact erased since, cannot be shown · 联系人已删除，无法核验',
};

function table(head: string[], rows: unknown[][]): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const seconds = (s: number | null) => (s === null ? '–' : `${s.toFixed(1)} s`);

export function reportHtml(r: ComplianceReport): string {
  const m = r.marketing;
  const verdict =
    m.checked === m.compliant
      ? 'Every marketing message was lawful · 所有营销短信均合规'
      : `${m.checked - m.compliant} message(s) with findings · 条短信存在问题`;
  const problems = Object.entries(m.problems).map(([p, n]) => [PROBLEM_LABELS[p] ?? p, n]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Herald compliance report · 合规报告 ${escapeHtml(r.period.from)} – ${escapeHtml(r.period.to)}</title>
<style>
@page { size: A4; margin: 15mm; }
body { font: 10pt/1.4 system-ui, "Noto Sans CJK SC", "PingFang SC", sans-serif; color: #000; }
h1 { font-size: 16pt; margin: 0 0 4pt; } h2 { font-size: 12pt; margin: 14pt 0 4pt; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0; } tr { break-inside: avoid; }
th, td { border: 0.5pt solid #888; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #eee; } .meta { color: #444; } .verdict { font-weight: bold; }
thead { display: table-header-group; }
</style></head><body>
<h1>Compliance report · 合规报告</h1>
<p class="meta">Period · 期间: ${escapeHtml(r.period.from)} – ${escapeHtml(r.period.to)} · Generated · 生成于: ${escapeHtml(r.generatedAt)}</p>
<h2>Marketing messages · 营销短信</h2>
<p class="verdict">${escapeHtml(verdict)}</p>
${table(
  ['Checked · 已核查', 'Compliant · 合规', 'With findings · 有问题'],
  [[m.checked, m.compliant, m.checked - m.compliant]],
)}
${problems.length > 0 ? table(['Finding · 问题', 'Messages · 条数'], problems) : ''}
${
  m.findings.length > 0
    ? `<h2>Findings · 问题明细${m.findingsTruncated ? ' (first ' + m.findings.length + ')' : ''}</h2>` +
      table(
        [
          'Message · 短信',
          'Campaign · 活动',
          'Sent at · 发送时间',
          'Country · 国家',
          'Finding · 问题',
          'Detail · 详情',
          'Consent event · 同意记录',
        ],
        m.findings.map((f) => [
          f.messageId,
          f.campaignId ?? '–',
          f.sentAt,
          f.country ?? '–',
          f.problem,
          f.detail ?? '',
          f.consent
            ? `#${f.consent.eventId} ${f.consent.action} (${f.consent.method}, ${f.consent.at})`
            : '–',
        ]),
      )
    : ''
}
<h2>Opt-outs · 退订</h2>
${table(
  ['Replies · 退订回复', 'Honoured · 已执行', 'Not honoured · 未执行', 'p50', 'p99', 'Max · 最长'],
  [
    [
      r.optOuts.replies,
      r.optOuts.honoured,
      r.optOuts.notHonoured,
      seconds(r.optOuts.latency.p50Seconds),
      seconds(r.optOuts.latency.p99Seconds),
      seconds(r.optOuts.latency.maxSeconds),
    ],
  ],
)}
${table(
  ['Marketing withdrawals by channel · 按渠道撤回同意', 'Count · 数量'],
  Object.entries(r.optOuts.revokesByMethod),
)}
<h2>Staff who revealed or exported numbers · 查看或导出号码的员工</h2>
${
  r.staffNumberAccess.length === 0
    ? '<p>None · 无</p>'
    : table(
        ['Who · 人员', 'Action · 操作', 'Times · 次数', 'First · 首次', 'Last · 最近'],
        r.staffNumberAccess.map((s) => [s.actor, s.action, s.n, s.first, s.last]),
      )
}
<p class="meta">The CSV export of this period lists every marketing message with the consent event it relied on. · 本期 CSV 导出列出每条营销短信及其所依据的同意记录。</p>
</body></html>
`;
}

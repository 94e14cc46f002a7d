/**
 * Payload builders for each alert source, following the tools' documented
 * formats: Alertmanager webhook v4 and its default Slack template, Grafana's
 * unified-alerting webhook and default Slack template, Datadog and Sentry Slack
 * notifications. Slack messages are rendered from the same alert data the
 * webhook builders take, the way the tools' templates do.
 */
import { parseServiceName } from '../../../src/rollback/ids';
import type { TriggerSettings } from '../../../src/config/service-schema';
import type { KnownService, Signal } from '../../../src/rollback/signals';
import type { SlackMessageLike } from '../../../src/rollback/signals';

export const CLINICAL = parseServiceName('dr-amal-clinical-os');
export const SITE = parseServiceName('dr-amal');
export const SERVICES: KnownService[] = [
  { name: CLINICAL, displayName: 'Dr Amal Clinical OS' },
  { name: SITE, displayName: 'Marketing site' },
];

export const RUNBOOK_TRIGGERS: TriggerSettings = {
  fiveXxRateMust: 0.25,
  fiveXxMustForSeconds: 120,
  featureErrorRateShould: 0.1,
  p95DegradationShould: 0.5,
  evaluationIntervalSeconds: 30,
  probeFailuresMust: 2,
};

export const T0 = new Date('2026-01-17T10:00:00Z');
export const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

export interface AlertSpec {
  status?: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  fingerprint?: string;
  values?: Record<string, number>;
}

const ZERO = '0001-01-01T00:00:00Z';

function common(alerts: AlertSpec[], pick: (a: AlertSpec) => Record<string, string>): Record<string, string> {
  const [first, ...rest] = alerts.map(pick);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first ?? {})) if (rest.every((r) => r[k] === v)) out[k] = v;
  return out;
}

function groupStatus(alerts: AlertSpec[]): 'firing' | 'resolved' {
  return alerts.some((a) => (a.status ?? 'firing') === 'firing') ? 'firing' : 'resolved';
}

function groupLabels(alerts: AlertSpec[], groupBy: string[]): Record<string, string> {
  const shared = common(alerts, (a) => a.labels);
  return Object.fromEntries(groupBy.filter((k) => k in shared).map((k) => [k, shared[k] as string]));
}

function groupKey(labels: Record<string, string>): string {
  return `{}:{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ')}}`;
}

export function alertmanagerWebhook(alerts: AlertSpec[], groupBy: string[] = ['alertname']): Record<string, unknown> {
  const grouped = groupLabels(alerts, groupBy);
  return {
    receiver: 'rollback-bot',
    status: groupStatus(alerts),
    alerts: alerts.map((a, i) => ({
      status: a.status ?? 'firing',
      labels: a.labels,
      annotations: a.annotations ?? {},
      startsAt: a.startsAt ?? '2026-01-17T09:58:00.123456789Z',
      endsAt: a.endsAt ?? ZERO,
      generatorURL: 'http://prometheus.internal:9090/graph?g0.expr=job%3A5xx_ratio%3Arate1m+%3E+0.25&g0.tab=1',
      fingerprint: a.fingerprint ?? `a1b2c3d4e5f6000${i}`,
    })),
    groupLabels: grouped,
    commonLabels: common(alerts, (a) => a.labels),
    commonAnnotations: common(alerts, (a) => a.annotations ?? {}),
    externalURL: 'http://alertmanager.internal:9093',
    version: '4',
    groupKey: groupKey(grouped),
    truncatedAlerts: 0,
  };
}

export function grafanaWebhook(alerts: AlertSpec[], groupBy: string[] = ['alertname']): Record<string, unknown> {
  const grouped = groupLabels(alerts, groupBy);
  const status = groupStatus(alerts);
  return {
    receiver: 'rollback-bot',
    status,
    orgId: 1,
    alerts: alerts.map((a, i) => ({
      status: a.status ?? 'firing',
      labels: a.labels,
      annotations: a.annotations ?? {},
      startsAt: a.startsAt ?? '2026-01-17T09:58:00.157076+01:00',
      endsAt: a.endsAt ?? ZERO,
      generatorURL: 'https://grafana.internal/alerting/grafana/abc123/view',
      fingerprint: a.fingerprint ?? `c6eadffa33fcdf3${i}`,
      silenceURL: 'https://grafana.internal/alerting/silence/new',
      dashboardURL: '',
      panelURL: '',
      values: a.values ?? null,
    })),
    groupLabels: grouped,
    commonLabels: common(alerts, (a) => a.labels),
    commonAnnotations: common(alerts, (a) => a.annotations ?? {}),
    externalURL: 'https://grafana.internal/',
    version: '1',
    groupKey: groupKey(grouped),
    truncatedAlerts: 0,
    title: '',
    state: status === 'firing' ? 'alerting' : 'ok',
    message: '',
  };
}

const sortedValues = (labels: Record<string, string>): string[] =>
  Object.keys(labels)
    .sort()
    .map((k) => labels[k] as string);

/** The shared "__subject" template: [STATUS(:n)] group values (other common values). */
function subject(alerts: AlertSpec[], groupBy: string[]): string {
  const status = groupStatus(alerts);
  const firing = alerts.filter((a) => (a.status ?? 'firing') === 'firing').length;
  const grouped = groupLabels(alerts, groupBy);
  const rest = Object.fromEntries(Object.entries(common(alerts, (a) => a.labels)).filter(([k]) => !(k in grouped)));
  const extra = Object.keys(rest).length > 0 ? `(${sortedValues(rest).join(' ')})` : '';
  return `[${status.toUpperCase()}${status === 'firing' ? `:${firing}` : ''}] ${sortedValues(grouped).join(' ')} ${extra}`;
}

export function alertmanagerSlack(alerts: AlertSpec[], ts: Date = T0, groupBy: string[] = ['alertname']): SlackMessageLike {
  const title = subject(alerts, groupBy);
  const link = 'http://alertmanager.internal:9093/#/alerts?receiver=slack-prod-alerts';
  return {
    subtype: 'bot_message',
    bot_id: 'B0ALERTMGR',
    username: 'Alertmanager',
    ts: (ts.getTime() / 1000).toFixed(6),
    text: '',
    attachments: [{ title, title_link: link, text: '', fallback: `${title} | ${link}`, color: groupStatus(alerts) === 'firing' ? 'danger' : 'good' }],
  };
}

/**
 * The slack_configs `text` most teams write (Alertmanager's own default text
 * is empty): per alert "*Alert:* {{ .Annotations.summary }} - `severity`",
 * "*Description:* …", "*Value:* {{ .Annotations.value }}" when the rule sets
 * one, and "*Details:*" with " • *label:* `value`" lines.
 */
export function alertmanagerSlackWithText(alerts: AlertSpec[], ts: Date = T0, groupBy: string[] = ['alertname']): SlackMessageLike {
  const text = alerts
    .map((a) => {
      const notes = a.annotations ?? {};
      const lines = [`*Alert:* ${notes.summary ?? a.labels.alertname ?? ''} - \`${a.labels.severity ?? 'none'}\``];
      if (notes.description !== undefined) lines.push(`*Description:* ${notes.description}`);
      if (notes.value !== undefined) lines.push(`*Value:* ${notes.value}`);
      lines.push('*Details:*', ...Object.keys(a.labels).sort().map((k) => `  • *${k}:* \`${a.labels[k] ?? ''}\``));
      return lines.join('\n');
    })
    .join('\n\n');
  const message = alertmanagerSlack(alerts, ts, groupBy);
  const [attachment] = message.attachments ?? [];
  return { ...message, attachments: [{ ...attachment, text }] };
}

function textAlertList(alerts: AlertSpec[]): string {
  return alerts
    .map((a) => {
      const values = a.values && Object.keys(a.values).length > 0 ? Object.entries(a.values).map(([k, v]) => `${k}=${v}`).join(', ') : '[no value]';
      const labels = Object.keys(a.labels).sort().map((k) => ` - ${k} = ${a.labels[k]}\n`).join('');
      const notes = Object.keys(a.annotations ?? {}).sort().map((k) => ` - ${k} = ${(a.annotations ?? {})[k]}\n`).join('');
      return `\nValue: ${values}\nLabels:\n${labels}Annotations:\n${notes}Source: https://grafana.internal/alerting/grafana/abc123/view\nSilence: https://grafana.internal/alerting/silence/new\n`;
    })
    .join('');
}

export function grafanaSlack(alerts: AlertSpec[], ts: Date = T0, groupBy: string[] = ['alertname']): SlackMessageLike {
  const firing = alerts.filter((a) => (a.status ?? 'firing') === 'firing');
  const resolved = alerts.filter((a) => a.status === 'resolved');
  let text = '';
  if (firing.length > 0) text += `**Firing**\n${textAlertList(firing)}${resolved.length > 0 ? '\n\n' : ''}`;
  if (resolved.length > 0) text += `**Resolved**\n${textAlertList(resolved)}`;
  const title = subject(alerts, groupBy);
  return {
    subtype: 'bot_message',
    bot_id: 'B0GRAFANA1',
    username: 'grafana',
    ts: (ts.getTime() / 1000).toFixed(6),
    text: '',
    attachments: [
      { title, title_link: 'https://grafana.internal/alerting/list', text, fallback: title, footer: 'Grafana v11.3.0', color: firing.length > 0 ? '#D63232' : '#36a64f' },
    ],
  };
}

export function datadogSlack(transition: string, monitor: string, body: string, ts: Date = T0): SlackMessageLike {
  return {
    bot_id: 'B0DATADOG1',
    bot_profile: { name: 'Datadog' },
    ts: (ts.getTime() / 1000).toFixed(6),
    text: '',
    attachments: [
      {
        title: `${transition}: ${monitor}`,
        title_link: 'https://app.datadoghq.com/monitors/81234567?group=service%3Adr-amal-clinical-os',
        text: `${body}\n\n@slack-prod-alerts`,
        fallback: `${transition}: ${monitor}`,
      },
    ],
  };
}

export function sentryMetricSlack(state: 'Critical' | 'Warning' | 'Resolved', rule: string, figure: string, ts: Date = T0): SlackMessageLike {
  return {
    bot_id: 'B0SENTRY01',
    bot_profile: { name: 'Sentry' },
    ts: (ts.getTime() / 1000).toFixed(6),
    text: '',
    attachments: [
      {
        title: `${state}: ${rule}`,
        title_link: 'https://acme.sentry.io/organizations/acme/alerts/rules/details/42/',
        text: `${figure}\nFilter: level:error`,
        fallback: `${state}: ${rule}`,
        color: state === 'Resolved' ? '#4DC771' : '#E03E2F',
      },
    ],
  };
}

export function sentryIssueSlack(error: string, culprit: string, shortId: string, rule: string): SlackMessageLike {
  return {
    bot_id: 'B0SENTRY01',
    bot_profile: { name: 'Sentry' },
    ts: (T0.getTime() / 1000).toFixed(6),
    text: '',
    attachments: [
      { title: error, title_link: 'https://acme.sentry.io/organizations/acme/issues/4501/?referrer=slack', text: culprit, footer: `${shortId} via ${rule}`, fallback: `[acme] ${error}` },
    ],
  };
}

export function personSays(text: string, ts: Date = T0): SlackMessageLike {
  return { text, ts: (ts.getTime() / 1000).toFixed(6) };
}

export function signal(overrides: Partial<Signal> = {}): Signal {
  return {
    service: CLINICAL,
    kind: 'five_xx_rate',
    firing: true,
    fingerprint: 'alertmanager:fp1',
    source: 'alertmanager',
    at: T0,
    summary: 'High5xxRate',
    ...overrides,
  };
}

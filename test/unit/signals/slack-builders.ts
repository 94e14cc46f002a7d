/**
 * Slack notification builders for each alert source, following the tools' documented default templates: Alertmanager
 * and Grafana rendered from the same alert data the webhook builders (builders.ts) take, the way the tools' templates
 * do; Datadog and Sentry Slack notifications; and a message a person posts.
 */
import type { SlackMessageLike } from '../../../src/rollback/signals';
import { type AlertSpec, common, groupLabels, groupStatus, T0 } from './builders';

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
  return (
    `[${status.toUpperCase()}${status === 'firing' ? `:${firing}` : ''}] ` +
    `${sortedValues(grouped).join(' ')} ${extra}`
  );
}

export function alertmanagerSlack(
  alerts: AlertSpec[],
  ts: Date = T0,
  groupBy: string[] = ['alertname'],
): SlackMessageLike {
  const title = subject(alerts, groupBy);
  const link = 'http://alertmanager.internal:9093/#/alerts?receiver=slack-prod-alerts';
  return {
    subtype: 'bot_message',
    bot_id: 'B0ALERTMGR',
    username: 'Alertmanager',
    ts: (ts.getTime() / 1000).toFixed(6),
    text: '',
    attachments: [
      {
        title,
        title_link: link,
        text: '',
        fallback: `${title} | ${link}`,
        color: groupStatus(alerts) === 'firing' ? 'danger' : 'good',
      },
    ],
  };
}

/**
 * The slack_configs `text` most teams write (Alertmanager's own default text
 * is empty): per alert "*Alert:* {{ .Annotations.summary }} - `severity`",
 * "*Description:* …", "*Value:* {{ .Annotations.value }}" when the rule sets
 * one, and "*Details:*" with " • *label:* `value`" lines.
 */
export function alertmanagerSlackWithText(
  alerts: AlertSpec[],
  ts: Date = T0,
  groupBy: string[] = ['alertname'],
): SlackMessageLike {
  const text = alerts
    .map((a) => {
      const notes = a.annotations ?? {};
      const lines = [`*Alert:* ${notes.summary ?? a.labels.alertname ?? ''} - \`${a.labels.severity ?? 'none'}\``];
      if (notes.description !== undefined) lines.push(`*Description:* ${notes.description}`);
      if (notes.value !== undefined) lines.push(`*Value:* ${notes.value}`);
      lines.push(
        '*Details:*',
        ...Object.keys(a.labels)
          .sort()
          .map((k) => `  • *${k}:* \`${a.labels[k] ?? ''}\``),
      );
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
      const values =
        a.values && Object.keys(a.values).length > 0
          ? Object.entries(a.values)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')
          : '[no value]';
      const labels = Object.keys(a.labels)
        .sort()
        .map((k) => ` - ${k} = ${a.labels[k]}\n`)
        .join('');
      const notes = Object.keys(a.annotations ?? {})
        .sort()
        .map((k) => ` - ${k} = ${(a.annotations ?? {})[k]}\n`)
        .join('');
      return (
        `\nValue: ${values}\nLabels:\n${labels}Annotations:\n${notes}Source: ` +
        `https://grafana.internal/alerting/grafana/abc123/view\nSilence: ` +
        `https://grafana.internal/alerting/silence/new\n`
      );
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
      {
        title,
        title_link: 'https://grafana.internal/alerting/list',
        text,
        fallback: title,
        footer: 'Grafana v11.3.0',
        color: firing.length > 0 ? '#D63232' : '#36a64f',
      },
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

export function sentryMetricSlack(
  state: 'Critical' | 'Warning' | 'Resolved',
  rule: string,
  figure: string,
  ts: Date = T0,
): SlackMessageLike {
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
      {
        title: error,
        title_link: 'https://acme.sentry.io/organizations/acme/issues/4501/?referrer=slack',
        text: culprit,
        footer: `${shortId} via ${rule}`,
        fallback: `[acme] ${error}`,
      },
    ],
  };
}

export function personSays(text: string, ts: Date = T0): SlackMessageLike {
  return { text, ts: (ts.getTime() / 1000).toFixed(6) };
}

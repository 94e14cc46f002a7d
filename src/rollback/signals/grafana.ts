/**
 * Grafana unified alerting: the webhook contact point's JSON (version "1") and
 * the Slack message its default templates post: title like Alertmanager's,
 * text "**Firing**" / "**Resolved**" sections listing each alert's
 * "Value: B=0.4, C=1", "Labels:" and "Annotations:" as " - name = value" lines,
 * footer "Grafana v…".
 */
import { z } from 'zod';
import { fingerprintOf } from './classify';
import { looksLikeGrafana, webhookAlert, webhookGroup } from './alertmanager';
import { toSignals } from './labeled-alert';
import type { LabeledAlert } from './labeled-alert';
import type { AlertParse, KnownService } from './signal';
import { messageText, messageTime, plainText } from './slack-message';
import type { SlackMessageLike } from './slack-message';
import { optionalTime, parseBody } from './webhook-body';

const grafanaSchema = z.object({
  version: z.literal('1', {
    error: 'expected version "1" (Grafana unified alerting; legacy dashboard alerts are not supported)',
  }),
  ...webhookGroup,
  orgId: z.number().int(),
  alerts: z
    .array(
      webhookAlert.extend({
        values: z.record(z.string(), z.number()).nullable().optional(),
        valueString: z.string().optional(),
      }),
    )
    .min(1, 'expected at least one alert'),
});

/**
 * Grafana sends every expression's result; the threshold condition is 0 or 1,
 * so the first other figure (in ref-id order) is the measured value.
 */
function measuredValue(
  values: Readonly<Record<string, number>> | null | undefined,
  valueString?: string,
): number | undefined {
  if (values) {
    const keys = Object.keys(values).sort();
    const figures = keys.map((k) => values[k]).filter((v): v is number => v !== undefined && Number.isFinite(v));
    const measured = figures.find((v) => v !== 0 && v !== 1) ?? (figures.length === 1 ? figures[0] : undefined);
    if (measured !== undefined) return measured;
  }
  const fromString = valueString === undefined ? undefined : /value=(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)/i.exec(valueString);
  return fromString?.[1] === undefined ? undefined : Number(fromString[1]);
}

export function parseGrafanaWebhook(body: unknown, services: readonly KnownService[], receivedAt: Date): AlertParse {
  const payload = parseBody(grafanaSchema, body, 'Grafana', 'unified alerting webhook contact point');
  const alerts: LabeledAlert[] = payload.alerts.map((a) => {
    const alert: LabeledAlert = {
      firing: a.status === 'firing',
      labels: a.labels,
      annotations: a.annotations,
      fingerprint: a.fingerprint,
    };
    const startedAt = optionalTime(a.startsAt);
    if (startedAt) alert.startedAt = startedAt;
    const value = measuredValue(a.values, a.valueString);
    if (value !== undefined) alert.value = value;
    return alert;
  });
  return toSignals('grafana', alerts, services, receivedAt);
}

interface TextAlert {
  firing: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  values: Record<string, number>;
}

/** Reads the default "__text_alert_list" layout back into alerts. */
function readAlertList(text: string): TextAlert[] {
  const alerts: TextAlert[] = [];
  let firing: boolean | undefined;
  let current: TextAlert | undefined;
  let section: 'labels' | 'annotations' | undefined;
  const start = (): TextAlert => {
    current = { firing: firing ?? true, labels: {}, annotations: {}, values: {} };
    alerts.push(current);
    section = undefined;
    return current;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    const header = /^\s*(?:\*\*|\*)?(Firing|Resolved)(?:\*\*|\*)?\s*$/i.exec(line);
    if (header?.[1]) {
      firing = header[1].toLowerCase() === 'firing';
      current = undefined;
      continue;
    }
    if (firing === undefined) continue;
    const value = /^\s*Value:\s*(.*)$/.exec(line);
    if (value) {
      const alert = start();
      for (const pair of (value[1] ?? '').matchAll(/([A-Za-z0-9_]+)=(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)/gi)) {
        if (pair[1] && pair[2]) alert.values[pair[1]] = Number(pair[2]);
      }
      continue;
    }
    if (/^\s*Labels:\s*$/.test(line)) {
      const alert = current && Object.keys(current.labels).length === 0 ? current : start();
      section = 'labels';
      current = alert;
      continue;
    }
    if (/^\s*Annotations:\s*$/.test(line)) {
      section = 'annotations';
      continue;
    }
    const pair = /^\s*-\s*([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (pair?.[1] !== undefined && current && section) {
      current[section][pair[1]] = pair[2] ?? '';
      continue;
    }
    if (/^\s*(Source|Silence|Dashboard|Panel):/.test(line)) section = undefined;
  }
  return alerts.filter((a) => Object.keys(a.labels).length > 0);
}

export function parseGrafanaSlack(
  message: SlackMessageLike,
  services: readonly KnownService[],
  receivedAt: Date,
): AlertParse | undefined {
  if (!looksLikeGrafana(message)) return undefined;
  const listed = readAlertList(plainText(messageText(message)));
  if (listed.length === 0) return undefined;
  const alerts: LabeledAlert[] = listed.map((a) => {
    const pairs = Object.keys(a.labels)
      .sort()
      .map((k) => `${k}=${a.labels[k]}`);
    const alert: LabeledAlert = {
      firing: a.firing,
      labels: a.labels,
      annotations: a.annotations,
      fingerprint: fingerprintOf(...pairs),
    };
    const value = measuredValue(a.values);
    if (value !== undefined) alert.value = value;
    return alert;
  });
  return toSignals('grafana', alerts, services, messageTime(message, receivedAt));
}

/**
 * Prometheus Alertmanager: its webhook (payload version 4) and the Slack
 * message its default slack_config template posts:
 * title "[FIRING:2] <group label values> (<other common label values>)",
 * title_link "<externalURL>/#/alerts?receiver=…", username "Alertmanager".
 * A rate alert's figure is read where its rule's annotations put it (see
 * alert-value.ts): a `value` annotation or label, or the summary/description.
 */
import { z } from 'zod';
import { alertValue, valueField } from './alert-value';
import { classifyKind, fingerprintOf, RATE_KINDS, readSeverity } from './classify';
import { toSignals } from './labeled-alert';
import type { LabeledAlert } from './labeled-alert';
import { findServiceInText } from './match-service';
import type { AlertParse, KnownService, Signal } from './signal';
import { messageLinks, messageText, messageTime, plainText, senderName } from './slack-message';
import type { SlackMessageLike } from './slack-message';
import { optionalTime, parseBody, rfc3339, stringMap } from './webhook-body';

const status = z.enum(['firing', 'resolved']);

/** One alert as Alertmanager sends it; Grafana's unified alerting sends the same shape with its values added. */
export const webhookAlert = z.object({
  status,
  labels: stringMap,
  annotations: stringMap,
  startsAt: rfc3339,
  endsAt: rfc3339,
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1),
});

/** The group fields both webhooks share. */
export const webhookGroup = {
  status,
  receiver: z.string(),
  groupKey: z.string(),
  groupLabels: stringMap,
  commonLabels: stringMap,
  commonAnnotations: stringMap,
  externalURL: z.string(),
};

const alertmanagerSchema = z.object({
  version: z.literal('4', { error: 'expected version "4" (Alertmanager 0.x webhook format)' }),
  ...webhookGroup,
  truncatedAlerts: z.number().int().min(0).optional(),
  alerts: z.array(webhookAlert).min(1, 'expected at least one alert'),
});

/** Throws RollbackError('bad_input') naming the first malformed field. */
export function parseAlertmanagerWebhook(
  body: unknown,
  services: readonly KnownService[],
  receivedAt: Date,
): AlertParse {
  const payload = parseBody(alertmanagerSchema, body, 'Alertmanager', 'webhook_config, payload version 4');
  const alerts: LabeledAlert[] = payload.alerts.map((a) => {
    const alert: LabeledAlert = {
      firing: a.status === 'firing',
      labels: a.labels,
      annotations: a.annotations,
      fingerprint: a.fingerprint,
    };
    const startedAt = optionalTime(a.startsAt);
    if (startedAt) alert.startedAt = startedAt;
    return alert;
  });
  return toSignals('alertmanager', alerts, services, receivedAt);
}

const AM_TITLE = /^\s*\[(FIRING:(\d+)|RESOLVED)\]\s+(.+?)\s*$/s;

/** Alertmanager's and Grafana's default titles look alike; Grafana's messages say so in footer or sender. */
export function looksLikeGrafana(message: SlackMessageLike): boolean {
  return (
    senderName(message).includes('grafana') ||
    (message.attachments ?? []).some((a) => /^grafana\b/i.test(a.footer ?? ''))
  );
}

export function parseAlertmanagerSlack(
  message: SlackMessageLike,
  services: readonly KnownService[],
  receivedAt: Date,
): AlertParse | undefined {
  if (looksLikeGrafana(message)) return undefined;
  const fromAlertmanager =
    senderName(message).includes('alertmanager') || messageLinks(message).some((l) => l.includes('#/alerts?receiver='));
  if (!fromAlertmanager) return undefined;
  const title =
    (message.attachments ?? []).map((a) => a.title).find((t) => t !== undefined && AM_TITLE.test(t)) ?? message.text;
  const match = title === undefined ? null : AM_TITLE.exec(plainText(title));
  if (!match?.[3]) return undefined;
  const subject = match[3];
  const firing = match[1] !== 'RESOLVED';
  const body = plainText(messageText(message));
  // The title holds label values only; the same subject fires and resolves, so it is the fingerprint.
  const fingerprint = `alertmanager:${fingerprintOf(subject)}`;
  const service = findServiceInText(services, `${subject}\n${body}`);
  const out: AlertParse = { source: 'alertmanager', signals: [], unmatched: [] };
  if (!service) {
    out.unmatched.push({ source: 'alertmanager', fingerprint, summary: subject });
    return out;
  }
  const kind = classifyKind(subject, body);
  // The title holds label values only; a rate's figure is wherever the template put the rule's annotations.
  // Other kinds' template values (often a probe's 0/1) are not read from chat text.
  const value = RATE_KINDS.has(kind) ? alertValue(kind, { fields: [valueField(body)], texts: [body] }) : undefined;
  const signal: Signal = {
    service: service.name,
    kind,
    firing,
    fingerprint,
    source: 'alertmanager',
    at: messageTime(message, receivedAt),
    summary: subject.slice(0, 300),
  };
  if (value !== undefined) signal.value = value;
  const severity = readSeverity(subject);
  if (severity) signal.severity = severity;
  out.signals.push(signal);
  return out;
}

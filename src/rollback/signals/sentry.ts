/**
 * Sentry's Slack alerts, from its Slack integration: metric alerts titled
 * "Critical: <rule>" / "Warning: <rule>" / "Resolved: <rule>" with a figure
 * ("34.5% failure rate in the last 10 minutes"), and issue alerts titled with
 * the error, linking to sentry.io and naming the project (short id
 * "DR-AMAL-CLINICAL-OS-1A" or "Project: …").
 */
import { classifyKind, fingerprintOf, parseNumber, readSeverity } from './classify';
import { findServiceInText, matchServiceName } from './match-service';
import type { AlertParse, KnownService, Signal, SignalKind } from './signal';
import { messageLinks, messageText, messageTime, plainText, senderName } from './slack-message';
import type { SlackMessageLike } from './slack-message';

const METRIC_TITLE = /^\s*(Critical|Warning|Resolved):\s+(.+?)\s*$/i;

function fromSentry(message: SlackMessageLike): boolean {
  return (
    senderName(message).includes('sentry') ||
    messageLinks(message).some((l) => /^https?:\/\/([a-z0-9-]+\.)*sentry\.io\//.test(l))
  );
}

function title(message: SlackMessageLike): string | undefined {
  const fromAttachment = (message.attachments ?? []).map((a) => a.title).find((t) => !!t);
  return fromAttachment ?? message.text?.split('\n')[0];
}

/** "Project: dr-amal-clinical-os" or a short id "DR-AMAL-CLINICAL-OS-1A" (project slug, dash, base-32 counter). */
function projectService(services: readonly KnownService[], text: string): KnownService | undefined {
  const project = /Project:\s*([A-Za-z0-9._-]+)/.exec(text);
  if (project?.[1]) {
    const service = matchServiceName(services, project[1]);
    if (service) return service;
  }
  for (const m of text.matchAll(/\b([A-Z0-9][A-Z0-9-]*)-[A-Z0-9]{1,6}\b/g)) {
    const service = m[1] ? matchServiceName(services, m[1]) : undefined;
    if (service) return service;
  }
  return undefined;
}

export function parseSentrySlack(
  message: SlackMessageLike,
  services: readonly KnownService[],
  receivedAt: Date,
): AlertParse | undefined {
  if (!fromSentry(message)) return undefined;
  const heading = title(message);
  if (!heading) return undefined;
  const body = plainText(messageText(message));
  const metric = METRIC_TITLE.exec(plainText(heading));
  const name = (metric?.[2] ?? plainText(heading)).trim();
  const fingerprint = `sentry:${fingerprintOf(name)}`;
  const service = projectService(services, body) ?? findServiceInText(services, body);
  const out: AlertParse = { source: 'sentry', signals: [], unmatched: [] };
  if (!service) {
    out.unmatched.push({ source: 'sentry', fingerprint, summary: name.slice(0, 300) });
    return out;
  }
  // An issue alert is one new or regressed error: a matter for judgement unless its words name a runbook trigger.
  const classified = classifyKind(name, body);
  const kind: SignalKind = metric || classified !== 'error_rate' ? classified : 'other';
  const signal: Signal = {
    service: service.name,
    kind,
    firing: metric?.[1]?.toLowerCase() !== 'resolved',
    fingerprint,
    source: 'sentry',
    at: messageTime(message, receivedAt),
    summary: name.slice(0, 300),
  };
  const rate = metric ? /(\d+(?:\.\d+)?)\s*%/.exec(body) : null;
  const value = rate?.[1] === undefined ? undefined : parseNumber(`${rate[1]}%`);
  if (value !== undefined) signal.value = value;
  const severity = metric?.[1] ? readSeverity(metric[1]) : undefined;
  if (severity) signal.severity = severity;
  out.signals.push(signal);
  return out;
}

/**
 * Datadog monitor notifications in Slack: the title (attachment title or first
 * line) is "<Transition>: <monitor name>" with Triggered, Re-Triggered, Warn,
 * Re-Warn, Recovered or No Data as the transition; the monitor's message and
 * its tags ("service:dr-amal-clinical-os") follow, linking to app.datadoghq.*.
 */
import { classifyKind, fingerprintOf, readSeverity } from './classify';
import { matchService } from './match-service';
import type { AlertParse, KnownService, Signal } from './signal';
import { messageLinks, messageText, messageTime, plainText, senderName } from './slack-message';
import type { SlackMessageLike } from './slack-message';

const TITLE = /^\s*\[?(Triggered|Re-Triggered|Warn|Re-Warn|Recovered|No Data|Re-No Data)\]?:?\s+(.+?)\s*$/i;

function fromDatadog(message: SlackMessageLike): boolean {
  return (
    senderName(message).includes('datadog') ||
    messageLinks(message).some((l) => /\bdatadoghq\.(com|eu)\b|\bddog-gov\.com\b/.test(l))
  );
}

/** Datadog tags are "key:value"; the service tag is the strongest service hint there is. */
function readTags(text: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const m of text.matchAll(/(?:^|[\s,[(])([a-z_]+):([a-z0-9][a-z0-9._/-]*)/gi)) {
    const key = m[1]?.toLowerCase();
    if (key && m[2] && !(key in tags) && key !== 'http' && key !== 'https') tags[key] = m[2];
  }
  return tags;
}

export function parseDatadogSlack(
  message: SlackMessageLike,
  services: readonly KnownService[],
  receivedAt: Date,
): AlertParse | undefined {
  if (!fromDatadog(message)) return undefined;
  const candidates = [...(message.attachments ?? []).map((a) => a.title), message.text?.split('\n')[0]];
  let match: RegExpExecArray | null = null;
  for (const candidate of candidates) {
    match = candidate === undefined ? null : TITLE.exec(plainText(candidate));
    if (match) break;
  }
  const transition = match?.[1]?.toLowerCase();
  const monitor = match?.[2];
  // "No Data" is not a symptom: missing data is inconclusive and never a reason to act.
  if (!transition || !monitor || transition.includes('no data')) return undefined;
  const body = plainText(messageText(message));
  const fingerprint = `datadog:${fingerprintOf(monitor)}`;
  const found = matchService(services, readTags(body), `${monitor}\n${body}`);
  const out: AlertParse = { source: 'datadog', signals: [], unmatched: [] };
  if (!found.service) {
    out.unmatched.push({
      source: 'datadog',
      fingerprint,
      summary: monitor,
      ...(found.hint === undefined ? {} : { serviceHint: found.hint }),
    });
    return out;
  }
  const signal: Signal = {
    service: found.service.name,
    kind: classifyKind(monitor, body),
    firing: transition !== 'recovered',
    fingerprint,
    source: 'datadog',
    at: messageTime(message, receivedAt),
    summary: monitor.slice(0, 300),
  };
  const severity = readSeverity(monitor);
  if (severity) signal.severity = severity;
  out.signals.push(signal);
  return out;
}

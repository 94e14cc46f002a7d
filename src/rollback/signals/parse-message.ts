/**
 * One entry point for every message in an alerts channel: the first parser
 * that recognises the message's source wins, most specific first, and plain
 * text last so a tool's notification is never read as a person's report.
 */
import { parseAlertmanagerSlack } from './alertmanager';
import { parseDatadogSlack } from './datadog';
import { parseGrafanaSlack } from './grafana';
import { parsePlainText } from './plain-text';
import { parseSentrySlack } from './sentry';
import type { AlertParse, KnownService } from './signal';
import type { SlackMessageLike } from './slack-message';

const PARSERS = [parseGrafanaSlack, parseAlertmanagerSlack, parseDatadogSlack, parseSentrySlack] as const;

/** Undefined when the message is not an alert we recognise (ignore it quietly). */
export function parseAlertMessage(
  message: SlackMessageLike,
  services: readonly KnownService[],
  receivedAt: Date,
): AlertParse | undefined {
  for (const parse of PARSERS) {
    const parsed = parse(message, services, receivedAt);
    if (parsed) return parsed;
  }
  // A tool's message we could not read is not a person's report: do not guess at it.
  if (message.bot_id !== undefined && (message.attachments?.length ?? 0) > 0) return undefined;
  return parsePlainText(message, services, receivedAt);
}

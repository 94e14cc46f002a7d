/**
 * A person (or a simple integration) writing "dr-amal-clinical-os: sign-in
 * returns 500" in the alerts channel. It counts only when it names a service
 * and a symptom; chatter without both is ignored.
 */
import { classifyKind, normaliseValue, parseNumber } from './classify';
import { findServiceInText } from './match-service';
import type { AlertParse, KnownService, Signal } from './signal';
import { messageText, messageTime, plainText } from './slack-message';
import type { SlackMessageLike } from './slack-message';

const GENERIC_TROUBLE =
  /\b(down|outage|broken|failing|fails|failed|not working|unavailable|degraded|timing out|timeouts?)\b/i;
const RECOVERED = /\b(resolved|recovered|back to normal|back up|is back|fixed|working again|all clear)\b/i;
/** "some-service: …" at the start: the shape of a report, even when the name is not one of ours. */
const PREFIXED = /^\s*([a-z0-9][a-z0-9-]{1,62})\s*:\s+\S/i;

export function parsePlainText(
  message: SlackMessageLike,
  services: readonly KnownService[],
  receivedAt: Date,
): AlertParse | undefined {
  const text = plainText(messageText(message)).trim();
  if (text === '' || text.length > 2000) return undefined;
  const kind = classifyKind(text);
  const recovered = RECOVERED.test(text);
  const symptom = kind !== 'other' || GENERIC_TROUBLE.test(text);
  if (!symptom && !recovered) return undefined;
  const service = findServiceInText(services, text);
  const out: AlertParse = { source: 'plain_text', signals: [], unmatched: [] };
  if (!service) {
    const prefix = PREFIXED.exec(text)?.[1];
    if (!prefix || !symptom) return undefined;
    out.unmatched.push({
      source: 'plain_text',
      serviceHint: prefix,
      fingerprint: `plain_text:${prefix.toLowerCase()}`,
      summary: text.slice(0, 300),
    });
    return out;
  }
  const signal: Signal = {
    service: service.name,
    kind,
    firing: !recovered,
    // People do not repeat themselves word for word; one report per service is one fingerprint, so "fixed" resolves it.
    fingerprint: `plain_text:${service.name}`,
    source: 'plain_text',
    at: messageTime(message, receivedAt),
    summary: text.split('\n')[0]?.slice(0, 300) ?? text.slice(0, 300),
  };
  const percent = /(\d+(?:\.\d+)?)\s*%/.exec(text)?.[1];
  const value = percent === undefined ? undefined : normaliseValue(kind, parseNumber(`${percent}%`));
  if (value !== undefined && (kind === 'five_xx_rate' || kind === 'error_rate')) signal.value = value;
  if (kind === 'security_vulnerability' && /\bcritical\b/i.test(text)) signal.severity = 'critical';
  out.signals.push(signal);
  return out;
}

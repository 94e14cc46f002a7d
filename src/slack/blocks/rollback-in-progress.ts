/**
 * The runbook's "🚨 ROLLBACK IN PROGRESS" post in #prod-alerts: the root of
 * the incident thread, with Issue, Trigger, Action, ETA and Owner. The
 * trigger's "by <@U…>" attribution shows as a mention.
 */
import { describeAction, describeIncident, describeService } from './describe';
import { type SlackMessage, context, header, section } from './elements';
import { formatMinutes, formatTime } from './format';
import { escapeMrkdwn, fallback, mention, oneLine, truncate } from './text';
import type { RollbackInProgressView } from './view-models';

export const ROLLBACK_IN_PROGRESS_TITLE = '🚨 ROLLBACK IN PROGRESS';

/**
 * The bot's attribution in a trigger, "/rollback by <@U…>" or "opened by
 * <@U…> from the alerts post": that mention shows as the person. Any other
 * markup in the trigger (a bare mention, <!channel>, a link) stays escaped.
 */
const ATTRIBUTION = /(\bby <@[UW][A-Z0-9]{2,}>)/;

function escapeKeepingAttribution(text: string): string {
  return text
    .split(ATTRIBUTION)
    .map((part, i) => (i % 2 === 1 ? part : escapeMrkdwn(part)))
    .join('');
}

export function rollbackInProgress(view: RollbackInProgressView): SlackMessage {
  const issue = escapeMrkdwn(truncate(view.issue.trim() || '(not given)', 1200));
  const trigger = escapeKeepingAttribution(truncate(view.trigger.trim() || '(not given)', 1000));
  const action = describeAction(view.kind, view.target);
  const eta = formatMinutes(view.etaMinutes);
  const owner = mention(view.owner);
  const body = [
    `*Issue:* ${issue}`,
    `*Trigger:* ${trigger}`,
    `*Action:* ${action}`,
    `*ETA:* ${eta}`,
    `*Owner:* ${owner}`,
  ].join('\n');
  const text =
    `${ROLLBACK_IN_PROGRESS_TITLE}: ${describeService(view.service)}: ` +
    `${escapeMrkdwn(truncate(oneLine(view.issue), 300))}. ${action}, ETA ${eta}, ` +
    `owner ${owner}.`;
  return {
    text: fallback(text),
    blocks: [
      header(ROLLBACK_IN_PROGRESS_TITLE),
      section(body),
      context([
        `*${describeService(view.service)}*`,
        `Incident ${describeIncident(view.incident)}`,
        `Started ${formatTime(view.startedAt, view.timeZone)}`,
        'Progress follows in this thread.',
      ]),
    ],
  };
}

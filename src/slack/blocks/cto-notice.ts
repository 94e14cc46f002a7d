/**
 * The runbook's "After-hours: On-call engineer executes, notify CTO
 * asynchronously": a direct message to the CTO, for information.
 */
import { KIND_NAMES, describeAction, describeIncident, describeService } from './describe';
import { type SlackMessage, context, header, section } from './elements';
import { formatDateTime } from './format';
import { escapeMrkdwn, fallback, mention, oneLine, truncate } from './text';
import type { CtoNoticeView } from './view-models';

export function ctoNotice(view: CtoNoticeView): SlackMessage {
  const who = mention(view.executedBy);
  const when = formatDateTime(view.at, view.timeZone);
  const hours = view.workingHours ? ` (working hours: ${escapeMrkdwn(truncate(oneLine(view.workingHours), 200))})` : '';
  const lines = [
    `${who} (on-call) executed ${KIND_NAMES[view.kind]} of ` +
      `*${describeService(view.service)}* at ${when}, outside working hours${hours}.`,
    `*Action:* ${describeAction(view.kind, view.target)}`,
    view.reason ? `*Reason:* ${escapeMrkdwn(truncate(view.reason.trim(), 1500))}` : '',
    `*Incident:* ${describeIncident(view.incident)}`,
  ].filter(Boolean);
  return {
    text: fallback(
      `🌙 After-hours rollback: ${who} (on-call) executed ${KIND_NAMES[view.kind]} of ` +
        `${describeService(view.service)} at ${when}.`,
    ),
    blocks: [
      header('🌙 After-hours rollback'),
      section(lines.join('\n')),
      context([
        'The runbook lets the on-call engineer execute code rollbacks after hours and ' +
          'notify the CTO asynchronously. No action is needed unless you disagree; progress ' +
          'is in the incident thread.',
      ]),
    ],
  };
}

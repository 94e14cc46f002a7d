/**
 * The CTO's direct messages, for information: the runbook's "After-hours:
 * On-call engineer executes, notify CTO asynchronously", and the shape every
 * notice to the CTO shares (a title, what happened, a closing note).
 */
import { KIND_NAMES, describeAction, describeIncident, describeService } from './describe';
import { type SlackMessage, context, header, section } from './elements';
import { formatDateTime } from './format';
import { escapeMrkdwn, fallback, mention, oneLine, truncate } from './text';
import type { CtoNoticeView } from './view-models';

/** A notice to the CTO: title, what happened line by line (empty lines left out), and what is asked of them. */
export function ctoInformation(notice: {
  readonly title: string;
  /** The notification's plain text, without the title. */
  readonly summary: string;
  readonly lines: readonly string[];
  readonly note: string;
}): SlackMessage {
  return {
    text: fallback(`${notice.title}: ${notice.summary}`),
    blocks: [header(notice.title), section(notice.lines.filter(Boolean).join('\n')), context([notice.note])],
  };
}

export function ctoNotice(view: CtoNoticeView): SlackMessage {
  const who = mention(view.executedBy);
  const when = formatDateTime(view.at, view.timeZone);
  const hours = view.workingHours ? ` (working hours: ${escapeMrkdwn(truncate(oneLine(view.workingHours), 200))})` : '';
  return ctoInformation({
    title: '🌙 After-hours rollback',
    summary: `${who} (on-call) executed ${KIND_NAMES[view.kind]} of ${describeService(view.service)} at ${when}.`,
    lines: [
      `${who} (on-call) executed ${KIND_NAMES[view.kind]} of ` +
        `*${describeService(view.service)}* at ${when}, outside working hours${hours}.`,
      `*Action:* ${describeAction(view.kind, view.target)}`,
      view.reason ? `*Reason:* ${escapeMrkdwn(truncate(view.reason.trim(), 1500))}` : '',
      `*Incident:* ${describeIncident(view.incident)}`,
    ],
    note:
      'The runbook lets the on-call engineer execute code rollbacks after hours and ' +
      'notify the CTO asynchronously. No action is needed unless you disagree; progress ' +
      'is in the incident thread.',
  });
}

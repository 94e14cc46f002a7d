/**
 * The runbook's external communication, filled from the incident's facts:
 * the "Status Page Update" and the "Email (if outage >15 min)", each in a
 * code block ready to copy. Nothing is sent to users by the bot.
 */
import { describeIncident, describeService } from './describe';
import { type SlackMessage, context, section } from './elements';
import { formatLongDay, formatMinutes, formatTime } from './format';
import { LIMITS, codeBlock, escapeMrkdwn, fallback, oneLine, truncate } from './text';
import type { OutageDraftsView } from './view-models';

const fill = (text: string, max: number): string => truncate(oneLine(text), max);

function clock(at: Date, timeZone: string): string {
  return formatTime(at, timeZone).replace(/\s\S+$/, '');
}

/** "2:00 PM - 2:15 PM ET", the runbook's way of writing the outage window. */
function window(view: OutageDraftsView, end: Date): string {
  const sameDay = formatLongDay(view.startedAt, view.timeZone) === formatLongDay(end, view.timeZone);
  const start = sameDay
    ? clock(view.startedAt, view.timeZone)
    : `${formatLongDay(view.startedAt, view.timeZone)} ${clock(view.startedAt, view.timeZone)}`;
  return `${start} - ${formatTime(end, view.timeZone)}`;
}

function statusPageDraft(view: OutageDraftsView): string {
  const feature = fill(view.feature, 300);
  if (view.endedAt) {
    return [
      'RESOLVED: Service Degradation',
      '',
      `We experienced issues with ${feature} between ${window(view, view.endedAt)}.`,
      'The issue has been resolved by reverting a recent update.',
      'All systems are now operating normally.',
      'We apologize for any inconvenience.',
    ].join('\n');
  }
  return [
    'IDENTIFIED: Service Degradation',
    '',
    `We are experiencing issues with ${feature} since ${formatTime(view.startedAt, view.timeZone)}.`,
    'We are reverting a recent update to resolve it.',
    'We will post an update once all systems are operating normally.',
    'We apologize for any inconvenience.',
  ].join('\n');
}

function emailDraft(view: OutageDraftsView): string {
  const product = fill(view.productName, 80);
  const end = view.endedAt ?? view.asOf;
  const minutes = formatMinutes((end.getTime() - view.startedAt.getTime()) / 60_000);
  const downtime = view.endedAt
    ? minutes
    : `${minutes} so far (still ongoing at ${formatTime(view.asOf, view.timeZone)})`;
  return [
    `Subject: Service Update - ${formatLongDay(view.startedAt, view.timeZone)}`,
    '',
    `Dear ${product} Users,`,
    '',
    `We recently deployed an update that caused ${fill(view.issueDescription, 600)}.`,
    view.endedAt
      ? 'Our team immediately rolled back to the previous stable version.'
      : 'Our team is rolling back to the previous stable version.',
    '',
    `Downtime: ${downtime}`,
    `Impact: ${fill(view.impact, 600)}`,
    `Data Loss: ${fill(view.dataLoss, 300)}`,
    '',
    "We're conducting a thorough review to prevent similar issues.",
    '',
    'Thank you for your patience.',
    `- The ${product} Team`,
  ].join('\n');
}

export function outageDrafts(view: OutageDraftsView): SlackMessage {
  const end = view.endedAt ?? view.asOf;
  const minutes = formatMinutes((end.getTime() - view.startedAt.getTime()) / 60_000);
  const lead =
    `📝 *Drafts for users*: the outage of ${describeService(view.service)} ` +
    `${view.endedAt ? 'lasted' : 'has lasted'} ${minutes}. Review, then copy them to ` +
    `the status page and the customer email.`;
  return {
    text: fallback(
      `Status page and email drafts for ${describeService(view.service)} ` +
        `(${escapeMrkdwn(view.incident.id)}), outage ${minutes}.`,
    ),
    blocks: [
      section(lead),
      section('*Status Page Update*'),
      section(codeBlock(escapeMrkdwn(statusPageDraft(view)), LIMITS.sectionText)),
      section('*Email (if outage >15 min)*'),
      section(codeBlock(escapeMrkdwn(emailDraft(view)), LIMITS.sectionText)),
      context([`Incident ${describeIncident(view.incident)}`, 'Nothing is sent to users by the bot.']),
    ],
  };
}

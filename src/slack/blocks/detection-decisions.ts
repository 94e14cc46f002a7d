/**
 * Detection's decision messages: asked again after a Monitor window, an
 * incident closed as recovered without rollback, and the CTO's notice of an
 * autopilot rollback.
 */
import { HOTFIX, MONITOR, ROLLBACK_NOW } from '../action-ids';
import { ctoInformation } from './cto-notice';
import { page } from './detection-alerts';
import { describeIncident, describeService } from './describe';
import { type SlackMessage, actions, button, context, header, section } from './elements';
import { formatDateTime, formatTime } from './format';
import { escapeMrkdwn, fallback, oneLine, truncate } from './text';
import type { IncidentRef, ServiceRef } from './view-models';

const RECOVERED_TITLE = '✅ RECOVERED WITHOUT ROLLBACK';
const AUTOPILOT_TITLE = '🤖 Autopilot rollback';

interface AskedAgainView {
  timeZone: string;
  service: ServiceRef;
  incident: IncidentRef;
  reason: string;
  owners: readonly string[];
  monitoredBy: string;
  monitoredSince: Date;
  round: number;
}

export function askedAgain(view: AskedAgainView): SlackMessage {
  const id = view.incident.id;
  const who = view.owners.map(page).join(' ');
  const body = [
    `⚠️ *Still firing after monitoring* (chosen by ${page(view.monitoredBy)} at ` +
      `${formatTime(view.monitoredSince, view.timeZone)}).`,
    escapeMrkdwn(truncate(view.reason.trim(), 1500)),
    `${who} production is still broken by the runbook's rules: roll back now, hotfix, or monitor again?`,
  ].join('\n');
  return {
    text: fallback(
      `Still firing after monitoring: ${describeService(view.service)} ` +
        `(${escapeMrkdwn(id)}): ${escapeMrkdwn(truncate(oneLine(view.reason), 300))}`,
    ),
    blocks: [
      section(body),
      actions(`monitor:${id}:${view.round}`, [
        button({ actionId: ROLLBACK_NOW, text: 'Roll back now', value: id, style: 'danger' }),
        button({ actionId: HOTFIX, text: 'Hotfix', value: id, style: 'primary' }),
        button({ actionId: MONITOR, text: 'Monitor', value: id }),
      ]),
      context([
        `*${describeService(view.service)}*`,
        `Incident ${describeIncident(view.incident)}`,
        `Asked again (${view.round})`,
      ]),
    ],
  };
}

interface RecoveredView {
  timeZone: string;
  service: ServiceRef;
  incident: IncidentRef;
  /** When the last alert resolved. */
  resolvedAt: Date;
  closedAt: Date;
  alerts: number;
  notifications: number;
}

export function recovered(view: RecoveredView): SlackMessage {
  const line =
    `Every alert resolved (${view.alerts} alert${view.alerts === 1 ? '' : 's'}, last ` +
    `at ${formatTime(view.resolvedAt, view.timeZone)}) and no trigger fires. Incident ` +
    `${describeIncident(view.incident)} is closed at ` +
    `${formatTime(view.closedAt, view.timeZone)} as recovered without rollback: ` +
    `nothing was rolled back.`;
  return {
    text: fallback(
      `${RECOVERED_TITLE}: ${describeService(view.service)} ` +
        `(${escapeMrkdwn(view.incident.id)}): every alert resolved, nothing was rolled ` +
        `back.`,
    ),
    blocks: [
      header(RECOVERED_TITLE),
      section(line),
      context([`*${describeService(view.service)}*`, 'Reopen with /rollback if it comes back.']),
    ],
  };
}

interface AutopilotNoticeView {
  timeZone: string;
  service: ServiceRef;
  incident: IncidentRef;
  reason: string;
  at: Date;
}

/** The CTO's direct message: the runbook's "notify CTO" for a rollback nobody pressed. */
export function autopilotNotice(view: AutopilotNoticeView): SlackMessage {
  const when = formatDateTime(view.at, view.timeZone);
  return ctoInformation({
    title: AUTOPILOT_TITLE,
    summary:
      `${describeService(view.service)} is being rolled back to the ` +
      `last known good (${escapeMrkdwn(view.incident.id)}).`,
    lines: [
      `rollback-bot started an application rollback of ` +
        `*${describeService(view.service)}* to the last known good at ${when} on a MUST ` +
        `trigger, because the service has autopilot on.`,
      `*Trigger:* ${escapeMrkdwn(truncate(view.reason.trim(), 1500))}`,
      `*Incident:* ${describeIncident(view.incident)}`,
    ],
    note: 'For information: progress and the outcome are in the incident thread in the alerts channel.',
  });
}

/**
 * What detection posts about an episode, one message each, updated in place:
 * in the incident thread, the trigger with its alerts and counts (a storm of
 * 10,000 notifications is one line with a count); in the alerts channel, a
 * MAY trigger for judgement with an "Open incident" button.
 */
import { OPEN_INCIDENT } from '../action-ids';
import { describeIncident, describeService } from './describe';
import { type Block, type SlackMessage, actions, button, context, packLines, section } from './elements';
import { formatCount, formatTime, plural } from './format';
import { escapeMrkdwn, fallback, oneLine, truncate } from './text';
import type { IncidentRef, ServiceRef } from './view-models';

type DetectionLevel = 'must' | 'should' | 'may';

export interface AlertLineView {
  source: string;
  summary: string;
  firing: boolean;
  /** Firing notifications in this spell. */
  repeats: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  resolvedAt?: Date;
  /** Already formatted, e.g. "42%" or "0.8". */
  value?: string;
}

export interface DetectionView {
  timeZone: string;
  service: ServiceRef;
  level: DetectionLevel;
  /** "auth completely broken", "5xx error rate"… */
  ruleTitle?: string;
  reason: string;
  /** Who is paged: Slack user or user-group ids. */
  owners: readonly string[];
  alerts: readonly AlertLineView[];
  totals: { alerts: number; firing: number; notifications: number };
  since: Date;
  incident?: IncidentRef;
  autopilot?: boolean;
  monitor?: { by: string; until: Date };
  /** Set once the episode is over. */
  ended?: { at: Date; reason: string };
}

const LEVEL_HEADINGS: Record<DetectionLevel, string> = {
  must: '🚨 MUST roll back',
  should: '⚠️ SHOULD roll back',
  may: '🟡 MAY roll back (case by case)',
};

/** A user (<@U…>) or user group (<!subteam^S…>) mention; anything else as text. */
export function page(id: string): string {
  if (/^[UW][A-Z0-9]{2,}$/.test(id)) return `<@${id}>`;
  if (/^S[A-Z0-9]{2,}$/.test(id)) return `<!subteam^${id}>`;
  return escapeMrkdwn(id);
}

function alertLine(alert: AlertLineView, timeZone: string): string {
  const mark = alert.firing ? '🔴' : '✅';
  const what = escapeMrkdwn(truncate(oneLine(alert.summary), 200));
  const value = alert.value ? ` (${escapeMrkdwn(alert.value)})` : '';
  const count = alert.repeats > 1 ? `${plural(alert.repeats, 'notification')} ` : '';
  const when = alert.firing
    ? `${count}since ${formatTime(alert.firstSeenAt, timeZone)}, last ${formatTime(alert.lastSeenAt, timeZone)}`
    : `resolved ${formatTime(alert.resolvedAt ?? alert.lastSeenAt, timeZone)}`;
  return `${mark} *${escapeMrkdwn(alert.source)}*: ${what}${value} · ${when}`;
}

function heading(view: DetectionView): string {
  const rule = view.ruleTitle ? `: ${escapeMrkdwn(view.ruleTitle)}` : '';
  return `*${LEVEL_HEADINGS[view.level]}${rule}*`;
}

function alertBlocks(view: DetectionView): Block[] {
  const { totals } = view;
  const summary =
    `*Alerts:* ${plural(totals.alerts, 'alert')} (${formatCount(totals.firing)} ` +
    `firing), ${plural(totals.notifications, 'notification')} since ` +
    `${formatTime(view.since, view.timeZone)}`;
  if (view.alerts.length === 0) return [section(`${summary}\nNo alert fired: the evidence is the bot’s own probes.`)];
  const lines = view.alerts.map((a) => alertLine(a, view.timeZone));
  const more = totals.alerts - view.alerts.length;
  return [
    section(summary),
    ...packLines(more > 0 ? [...lines, `…and ${plural(more, 'more alert')}`] : lines, 4, (n) => `…and ${n} more`),
  ];
}

/** The incident thread's message about its trigger and alerts (key incident:<id>:detection). */
export function detectionSummary(view: DetectionView): SlackMessage {
  const reason = escapeMrkdwn(truncate(view.reason.trim() || '(no reason given)', 1500));
  const owners = view.owners.length > 0 ? view.owners.map(page).join(' ') : '(no owner configured)';
  const lines = [heading(view), reason];
  if (view.autopilot)
    lines.push(
      'Autopilot is on for this service: the bot started the rollback to the last known ' +
        'good at once and notified the CTO.',
    );
  else lines.push(`*Owner:* ${owners}: roll back, hotfix, or monitor?`);
  if (view.monitor)
    lines.push(
      `👀 Monitoring, chosen by ${page(view.monitor.by)}: the bot asks again at ` +
        `${formatTime(view.monitor.until, view.timeZone)} if the trigger still fires.`,
    );
  if (view.ended)
    lines.push(
      `Episode over at ${formatTime(view.ended.at, view.timeZone)}: ${escapeMrkdwn(truncate(view.ended.reason, 500))}.`,
    );
  const blocks: Block[] = [section(lines.join('\n')), ...alertBlocks(view)];
  blocks.push(
    context([
      `*${describeService(view.service)}*`,
      view.incident ? `Incident ${describeIncident(view.incident)}` : '',
      'Counts update in place while the alerts keep coming.',
    ]),
  );
  return {
    text: fallback(
      `${LEVEL_HEADINGS[view.level]}: ${describeService(view.service)}: ` +
        `${escapeMrkdwn(truncate(oneLine(view.reason), 300))} ` +
        `(${plural(view.totals.notifications, 'alert notification')}).`,
    ),
    blocks,
  };
}

/** The MAY post in the alerts channel, for judgement (key detection:<id>:proposal). */
export function detectionProposal(view: DetectionView & { detectionId: string }): SlackMessage {
  const reason = escapeMrkdwn(truncate(view.reason.trim() || '(no reason given)', 1500));
  const lines = [heading(view), reason];
  let state: string;
  if (view.incident) {
    lines.push(`➡️ Incident ${describeIncident(view.incident)} is open for it; follow it there.`);
    state = `incident ${view.incident.id}`;
  } else if (view.ended) {
    lines.push(
      `✅ Over at ${formatTime(view.ended.at, view.timeZone)}: ${escapeMrkdwn(truncate(view.ended.reason, 500))}.`,
    );
    state = 'over';
  } else {
    lines.push(
      `The runbook leaves this to judgement. ${view.owners.map(page).join(' ')} open an ` +
        `incident if it needs one; the bot asks by itself if it becomes a SHOULD or MUST.`,
    );
    state = 'for judgement';
  }
  const blocks: Block[] = [section(lines.join('\n')), ...alertBlocks(view)];
  if (!view.incident && !view.ended)
    blocks.push(
      actions(`detection:${view.detectionId}`, [
        button({ actionId: OPEN_INCIDENT, text: 'Open incident', value: view.detectionId, style: 'primary' }),
      ]),
    );
  blocks.push(context([`*${describeService(view.service)}*`, 'Counts update in place while the alerts keep coming.']));
  return {
    text: fallback(
      `${LEVEL_HEADINGS[view.level]}: ${describeService(view.service)}: ` +
        `${escapeMrkdwn(truncate(oneLine(view.reason), 300))} (${state}).`,
    ),
    blocks,
  };
}

/**
 * The bot's App Home: open incidents and their state, each service's live and
 * last known good versions, the runbook's metrics against their targets, and
 * the post-rollback actions still open. Within the 100 blocks of a home view.
 */
import type { types } from '@slack/bolt';
import type { FollowUpItem } from '../../rollback/follow-up/checklist';
import type { RollbackMetrics } from '../../rollback/metrics/rollback-metrics';
import type { IncidentActions } from '../../rollback/metrics/incident-actions';
import { describeService, describeTarget, unavailableField } from './describe';
import { type Block, capBlocks, context, divider, fieldSections, header, packLines, section } from './elements';
import { formatDateTime, plural } from './format';
import { LIMITS, escapeMrkdwn, oneLine, truncate } from './text';
import { actionsLine, figureLine } from './stats-reply';
import { pinnedBlocks } from './pinned';
import type { ServiceRef, TargetRef } from './view-models';

interface HomeIncident {
  id: string;
  service: ServiceRef;
  state: string;
  severity?: string;
  issue: string;
  openedAt: Date;
}

export interface HomeService {
  service: ServiceRef;
  live?: TargetRef & { since?: Date };
  lastKnownGood?: TargetRef & { at: Date };
  /** What this service cannot do until a variable is set, each naming it (config/credentials). */
  unavailable?: readonly string[];
  /** Present while an instant rollback pins production; unpinWith: what Unpin would promote (typically the fix). */
  pinned?: { unpinWith?: TargetRef };
}

interface HomeFollowUp {
  incidentId: string;
  service: ServiceRef;
  item: FollowUpItem;
}

export interface AppHomeView {
  timeZone: string;
  openIncidents: readonly HomeIncident[];
  services: readonly HomeService[];
  metrics: RollbackMetrics;
  /** Feature flags switched in the same period (not rollbacks), as `/rollback stats` shows them. */
  actions?: IncidentActions;
  /** The progressive rollouts of the period in one line, as `/rollback stats` shows it. */
  releases?: string;
  metricsDays: number;
  followUps: readonly HomeFollowUp[];
  /** When it was read; left out of the content hash so an unchanged home is not republished. */
  asOf?: Date;
  /** Problems someone must fix for the bot to work, each with its fix (e.g. the bot is not in an alerts channel). */
  warnings?: readonly string[];
}

const MAX_INCIDENTS = 15;
const MAX_SERVICES = 30;

function incidentBlocks(view: AppHomeView): Block[] {
  if (view.openIncidents.length === 0) return [section('_No open incident._ 🎉')];
  const blocks: Block[] = view.openIncidents.slice(0, MAX_INCIDENTS).map((i) => {
    const severity = i.severity ? ` · ${escapeMrkdwn(i.severity.toUpperCase())}` : '';
    return section(
      `*${escapeMrkdwn(i.id)}* · ${describeService(i.service)} · ` +
        `*${escapeMrkdwn(i.state.replace(/_/g, ' '))}*${severity}\n` +
        `${escapeMrkdwn(truncate(oneLine(i.issue), 300))} · opened ${formatDateTime(i.openedAt, view.timeZone)}`,
    );
  });
  const more = view.openIncidents.length - MAX_INCIDENTS;
  if (more > 0) blocks.push(context([`…and ${more} more open incident(s): /rollback status`]));
  return blocks;
}

function serviceBlocks(view: AppHomeView): Block[] {
  if (view.services.length === 0) return [section('_No services are configured._')];
  return view.services.slice(0, MAX_SERVICES).flatMap((s) => {
    const live = s.live
      ? `${describeTarget(s.live)}${s.live.since ? `, since ${formatDateTime(s.live.since, view.timeZone)}` : ''}`
      : '_not seen yet_';
    const good = s.lastKnownGood
      ? `${describeTarget(s.lastKnownGood)}, marked ${formatDateTime(s.lastKnownGood.at, view.timeZone)}`
      : '_none recorded_';
    return [
      ...fieldSections([
        ['Service', describeService(s.service)],
        ['Live', live],
        ['Last known good', good],
        ...unavailableField(s.unavailable),
      ]),
      ...(s.pinned ? pinnedBlocks(s.service, s.pinned) : []),
    ];
  });
}

function followUpLines(view: AppHomeView): string[] {
  return view.followUps.map((f) => {
    const overdue = view.asOf && f.item.dueAt.getTime() <= view.asOf.getTime() ? ' ⚠️' : '';
    const snoozed =
      f.item.snoozedUntil && (!view.asOf || f.item.snoozedUntil > view.asOf)
        ? `, snoozed until ${formatDateTime(f.item.snoozedUntil, view.timeZone)}`
        : '';
    return (
      `• *${escapeMrkdwn(f.item.title)}*: due ` +
      `${formatDateTime(f.item.dueAt, view.timeZone)}${overdue}${snoozed} · ` +
      `${escapeMrkdwn(f.incidentId)} (${describeService(f.service)})`
    );
  });
}

export function appHome(view: AppHomeView): types.HomeView {
  const blocks: Block[] = [
    header('⏪ rollback-bot'),
    context([
      'Production rollbacks by the runbook. `/rollback help` lists the commands.',
      view.asOf ? `Updated ${formatDateTime(view.asOf, view.timeZone)}` : '',
    ]),
    ...(view.warnings ?? []).slice(0, 5).map((w) => section(`⚠️ ${truncate(w, 2900)}`)),
    divider(),
    header(`Open incidents (${view.openIncidents.length})`),
    ...incidentBlocks(view),
    divider(),
    header('Services: live and last known good'),
    ...serviceBlocks(view),
    divider(),
    header(`Rollback metrics, last ${view.metricsDays} days`),
    section(`${plural(view.metrics.rollbacks, 'rollback')} in the period, all services.`),
    ...packLines(view.metrics.figures.map(figureLine), 6, (n) => `…and ${n} more`),
    ...(view.actions ? [section(actionsLine(view.actions))] : []),
    ...(view.releases ? [context([escapeMrkdwn(view.releases)])] : []),
    divider(),
    header(`Open post-rollback actions (${view.followUps.length})`),
    ...(view.followUps.length > 0
      ? packLines(followUpLines(view), 4, (n) => `…and ${n} more`)
      : [section('_Nothing open._')]),
  ];
  return { type: 'home', blocks: capBlocks(blocks, LIMITS.viewBlocks) };
}

/**
 * `/rollback stats [service]`: the runbook's "Rollback Metrics", each figure
 * against its target with pass or fail, over the period it was measured in.
 * The figure lines are shared with App Home.
 */
import type { MetricFigure, RollbackMetrics } from '../../rollback/metrics/rollback-metrics';
import type { IncidentActions } from '../../rollback/metrics/incident-actions';
import { describeService } from './describe';
import { type Block, type SlackMessage, capBlocks, context, header, packLines, section } from './elements';
import { formatDateTime, formatDuration, plural } from './format';
import { LIMITS, escapeMrkdwn, fallback, truncate } from './text';
import type { ServiceRef } from './view-models';

interface StatsReplyView {
  timeZone: string;
  /** The service measured; undefined for every service together. */
  service?: ServiceRef;
  metrics: RollbackMetrics;
  /** Incident actions that are not rollbacks (feature flags switched), counted apart. */
  actions?: IncidentActions;
  /** The progressive rollouts of the period in one line (releases, aborts, traffic exposed at abort). */
  releases?: string;
}

/** "Not rollbacks: 2 feature flags turned off, 1 turned on (1 with no incident open)". */
export function actionsLine(actions: IncidentActions): string {
  const { flagsTurnedOff: off, flagsTurnedOn: on, outsideIncidents: outside } = actions;
  const apart = outside > 0 ? ` (${outside} with no incident open)` : '';
  const flags = `${plural(off, 'feature flag')} turned off, ${on} turned on${apart}`;
  return `🚩 *Incident actions that are not rollbacks:* ${flags}`;
}

const round = (n: number, places: number): string => String(Math.round(n * 10 ** places) / 10 ** places);

function shown(f: MetricFigure, value: number): string {
  switch (f.unit) {
    case 'per month':
      return `${round(value, 2)} per month`;
    case 'per deployment':
      return `${round(value, 3)} per deployment`;
    case 's':
      return formatDuration(value * 1000);
    case 'rows':
      return plural(value, 'row');
  }
}

function mark(f: MetricFigure): string {
  if (f.pass === undefined) return '➖';
  return f.pass ? '✅' : '❌';
}

/** "✅ *Detection time (deployment → detected)*: worst 3 min 10 s, mean 2 min (target < 5 min, 4 incidents)". */
export function figureLine(f: MetricFigure): string {
  const target = f.target.startsWith('none') ? 'no target in the runbook' : `target ${escapeMrkdwn(f.target)}`;
  if (f.value === undefined) return `${mark(f)} *${f.title}*: no data yet (${target})`;
  const worst =
    f.name === 'rollback_frequency' || f.name === 'rollbacks_per_deployment'
      ? shown(f, f.value)
      : `worst ${shown(f, f.value)}`;
  const mean = f.mean !== undefined && f.samples > 1 ? `, mean ${shown(f, f.mean)}` : '';
  const basis =
    f.name === 'rollback_frequency'
      ? plural(f.samples, 'rollback')
      : f.name === 'rollbacks_per_deployment'
        ? plural(f.samples, 'deployment')
        : plural(f.samples, 'incident');
  const missed = f.missedBy.length > 0 ? `; missed by ${escapeMrkdwn(truncate(f.missedBy.join(', '), 300))}` : '';
  return `${mark(f)} *${f.title}*: ${worst}${mean} (${target}, ${basis}${missed})`;
}

function verdictOf(metrics: RollbackMetrics): { failed: number; judged: number } {
  const judged = metrics.figures.filter((f) => f.pass !== undefined);
  return { failed: judged.filter((f) => f.pass === false).length, judged: judged.length };
}

export function statsReply(view: StatsReplyView): SlackMessage {
  const { metrics } = view;
  const scope = view.service ? describeService(view.service) : 'all services';
  const period = `${formatDateTime(metrics.from, view.timeZone)} to ${formatDateTime(metrics.to, view.timeZone)}`;
  const { failed, judged } = verdictOf(metrics);
  const summary =
    failed === 0
      ? `All ${judged} judged target${judged === 1 ? '' : 's'} met.`
      : `${failed} of ${judged} judged targets missed.`;
  const months = Object.entries(metrics.perMonth).map(([month, n]) => `${month}: ${n}`);
  const blocks: Block[] = [
    header(`📊 Rollback metrics: ${truncate(view.service?.displayName ?? view.service?.name ?? 'all services', 100)}`),
    section(`*Period:* ${period} · ${plural(metrics.rollbacks, 'rollback')} · ${summary}`),
    ...packLines(metrics.figures.map(figureLine), 6, (n) => `…and ${n} more`),
    ...(view.actions ? [section(actionsLine(view.actions))] : []),
    context([
      `Rollbacks per month: ${months.join(', ') || 'none'}`,
      'Targets from the runbook\'s "Rollback Metrics"',
      '➖ no data or no target',
    ]),
    ...(view.releases ? [context([escapeMrkdwn(view.releases)])] : []),
  ];
  return {
    text: fallback(`Rollback metrics of ${scope} (${period}): ${plural(metrics.rollbacks, 'rollback')}. ${summary}`),
    blocks: capBlocks(blocks, LIMITS.messageBlocks),
  };
}

/**
 * The runbook's "Rollback Metrics" over a period, each against its target:
 * frequency < 1 per month, detection < 5 min, execution < 5 min,
 * downtime < 15 min, data loss 0. A period passes a time target only when
 * every incident in it did: one 40-minute outage is not averaged away.
 */
import { RollbackError } from '../errors';
import { type IncidentTimes, type Measured, dataLoss, detectionTime, downtime, executionTime } from './incident-times';

export type MetricName =
  'rollback_frequency' | 'rollbacks_per_deployment' | 'detection_time' | 'execution_time' | 'downtime' | 'data_loss';

export interface MetricTarget {
  /** The runbook's wording, e.g. "< 5 min". */
  label: string;
  /** The figure (seconds for times) must stay strictly below this, or equal it when `exactly`. */
  limit: number;
  exactly?: boolean;
}

export const TARGETS: Readonly<Record<Exclude<MetricName, 'rollbacks_per_deployment'>, MetricTarget>> = {
  rollback_frequency: { label: '< 1 per month', limit: 1 },
  detection_time: { label: '< 5 min', limit: 300 },
  execution_time: { label: '< 5 min', limit: 300 },
  downtime: { label: '< 15 min', limit: 900 },
  data_loss: { label: '0', limit: 0, exactly: true },
};

export interface MetricFigure {
  name: MetricName;
  title: string;
  unit: 'per month' | 'per deployment' | 's' | 'rows';
  /** The headline figure: the rate, or the worst incident of the period. undefined when there is no data. */
  value: number | undefined;
  /** Mean over the incidents that had the figure (time and data-loss metrics). */
  mean?: number;
  /** Incidents (or deployments) the figure was computed from. */
  samples: number;
  target: string;
  /** undefined when there is no data or the runbook sets no target. */
  pass: boolean | undefined;
  /** Incidents that missed the target, for "which one?" follow-ups. */
  missedBy: string[];
}

export interface RollbackMetrics {
  from: Date;
  to: Date;
  rollbacks: number;
  /** Rollbacks per calendar month (UTC), "YYYY-MM" -> count, months of the period with none included. */
  perMonth: Record<string, number>;
  figures: MetricFigure[];
}

interface MetricsOptions {
  from: Date;
  to: Date;
  /** Deployments made in the period, for rollbacks per deployment. */
  deployments?: number;
}

const meets = (value: number, target: MetricTarget): boolean =>
  target.exactly ? value === target.limit : value < target.limit;

/**
 * The period in calendar months (UTC), partial months as the fraction of their
 * own length covered: January counts as exactly one month, so a single
 * rollback in January is 1 per month and misses "< 1 per month".
 */
function monthsOf(from: Date, to: Date): { months: Record<string, number>; length: number } {
  const months: Record<string, number> = {};
  let length = 0;
  const start = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1));
  while (start.getTime() < to.getTime()) {
    const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    const covered = Math.min(end.getTime(), to.getTime()) - Math.max(start.getTime(), from.getTime());
    length += covered / (end.getTime() - start.getTime());
    months[start.toISOString().slice(0, 7)] = 0;
    start.setTime(end.getTime());
  }
  return { months, length };
}

function perIncident(
  name: Exclude<MetricName, 'rollback_frequency' | 'rollbacks_per_deployment'>,
  title: string,
  unit: 's' | 'rows',
  incidents: IncidentTimes[],
  measure: (t: IncidentTimes) => Measured | undefined,
): MetricFigure {
  const target = TARGETS[name];
  const measured = incidents.flatMap((t) => {
    const value = measure(t)?.value;
    return value === undefined ? [] : [{ id: t.id, value }];
  });
  const values = measured.map((m) => m.value);
  const worst = values.length ? Math.max(...values) : undefined;
  return {
    name,
    title,
    unit,
    value: worst,
    mean: values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined,
    samples: measured.length,
    target: target.label,
    pass: worst === undefined ? undefined : meets(worst, target),
    missedBy: measured.filter((m) => !meets(m.value, target)).map((m) => m.id),
  };
}

/** Incidents count in the period they were restored in, or opened in when never restored. */
function inPeriod(t: IncidentTimes, from: Date, to: Date): boolean {
  const at = (t.restoredAt ?? t.detectedAt ?? t.impactStartedAt)?.getTime();
  return at !== undefined && at >= from.getTime() && at < to.getTime();
}

export function rollbackMetrics(all: IncidentTimes[], options: MetricsOptions): RollbackMetrics {
  const { from, to } = options;
  if (!(to.getTime() > from.getTime())) {
    throw new RollbackError(
      'bad_input',
      `The metrics period ends (${to.toISOString()}) before it starts (${from.toISOString()}).`,
      {
        fix: 'Give a period whose end is after its start.',
      },
    );
  }
  if (options.deployments !== undefined && !(Number.isInteger(options.deployments) && options.deployments >= 0)) {
    throw new RollbackError(
      'bad_input',
      `The deployment count must be a whole number of 0 or more, not ${options.deployments}.`,
    );
  }
  const incidents = all.filter((t) => inPeriod(t, from, to));
  const rolledBack = incidents.filter((t) => t.rolledBack);
  const { months: perMonth, length: monthCount } = monthsOf(from, to);
  for (const t of rolledBack) {
    const month = (t.restoredAt as Date).toISOString().slice(0, 7);
    perMonth[month] = (perMonth[month] ?? 0) + 1;
  }
  const rate = rolledBack.length / monthCount;
  const frequency: MetricFigure = {
    name: 'rollback_frequency',
    title: 'Rollback frequency',
    unit: 'per month',
    value: rate,
    samples: rolledBack.length,
    target: TARGETS.rollback_frequency.label,
    pass: meets(rate, TARGETS.rollback_frequency),
    missedBy: [],
  };
  const deployments = options.deployments;
  const perDeployment: MetricFigure = {
    name: 'rollbacks_per_deployment',
    title: 'Rollbacks per deployment',
    unit: 'per deployment',
    value: deployments ? rolledBack.length / deployments : undefined,
    samples: deployments ?? 0,
    target: 'none set in the runbook',
    pass: undefined,
    missedBy: [],
  };
  return {
    from,
    to,
    rollbacks: rolledBack.length,
    perMonth,
    figures: [
      frequency,
      perDeployment,
      perIncident('detection_time', 'Detection time (deployment → detected)', 's', incidents, detectionTime),
      perIncident('execution_time', 'Execution time (decision → restored)', 's', rolledBack, executionTime),
      perIncident('downtime', 'Downtime (impact start → restored)', 's', incidents, downtime),
      perIncident('data_loss', 'Data loss (archived values not restored)', 'rows', rolledBack, dataLoss),
    ],
  };
}

/** Looks a figure up by name (the list always holds all six). */
export function figure(metrics: RollbackMetrics, name: MetricName): MetricFigure {
  const found = metrics.figures.find((f) => f.name === name);
  if (!found) throw new RollbackError('internal', `No metric named ${name}.`);
  return found;
}

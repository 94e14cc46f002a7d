/**
 * The runbook's "Rollback Metrics" as Prometheus gauges, per service, filled
 * when /metrics is scraped from the same figures `/rollback stats` shows (last
 * 30 days), the incident actions that are not rollbacks (feature flags
 * switched) and the progressive rollouts (releases, aborts, traffic exposed at
 * abort) from the same functions as there. One store read serves every
 * gauge of a scrape and is kept ~15 s, so a scraper or two cannot load the database.
 */
import { Gauge, type Registry } from 'prom-client';
import type { IncidentStore } from '../rollback/ports/incident-store';
import { type IncidentActions, measureIncidentActions } from '../rollback/metrics/incident-actions';
import { measureEachService } from '../rollback/metrics/measure';
import { type ReleaseFactsSource, type ReleaseFigures, measureReleases } from '../rollback/metrics/release-metrics';
import { type MetricName, type RollbackMetrics, TARGETS } from '../rollback/metrics/rollback-metrics';

interface ServiceFigures {
  service: string;
  metrics: RollbackMetrics;
  /** Feature flags switched (not rollbacks), as `/rollback stats <service>` counts them. */
  actions?: IncidentActions;
  /** Progressive rollouts, as `/rollback stats <service>` counts them; absent without a release store. */
  releases?: ReleaseFigures;
}

/**
 * Each service's rollback metrics, incident actions and releases at `at`, as `/rollback stats <service>` measures them.
 */
export async function measureServiceFigures(
  store: Pick<IncidentStore, 'metricsInputs' | 'flagActions'>,
  services: readonly { name: string }[],
  at: Date,
  releases?: ReleaseFactsSource,
): Promise<ServiceFigures[]> {
  const [each, actions] = await Promise.all([
    measureEachService(store, services, at),
    Promise.all(services.map(({ name }) => measureIncidentActions(store, { service: name, at }))),
  ]);
  return Promise.all(
    each.map(async (figures, i) => {
      const { from, to } = figures.metrics;
      const released = releases
        ? { releases: await measureReleases(releases, { service: figures.service, from, to }) }
        : {};
      return { ...figures, actions: actions[i], ...released };
    }),
  );
}

/** The flag figures, one gauge each, from incident-actions' functions (via IncidentActions). */
const FLAG_ACTIONS: readonly { figure: Exclude<keyof IncidentActions, 'from' | 'to'>; name: string; help: string }[] = [
  { figure: 'flagsTurnedOff', name: 'rollback_bot_flags_turned_off', help: 'Feature flags turned off' },
  { figure: 'flagsTurnedOn', name: 'rollback_bot_flags_turned_on', help: 'Feature flags turned back on' },
  {
    figure: 'outsideIncidents',
    name: 'rollback_bot_flag_switches_outside_incidents',
    help: 'Feature flag switches made with no incident open',
  },
];

/** The release counts, one gauge each, from release-metrics' measureReleases (via ReleaseFigures). */
const RELEASE_COUNTS: readonly { figure: 'started' | 'aborted'; name: string; help: string }[] = [
  { figure: 'started', name: 'rollback_bot_releases_started', help: 'Progressive rollouts (/rollout) started' },
  {
    figure: 'aborted',
    name: 'rollback_bot_releases_aborted',
    help: 'Progressive rollouts aborted (by a MUST trigger on the canary or by a person)',
  },
];

export interface RunbookGauges {
  /** Where the figures come from, set once the store exists. */
  serve(read: () => Promise<ServiceFigures[]>): void;
}

type PerIncident = Exclude<MetricName, 'rollback_frequency' | 'rollbacks_per_deployment'>;

/** Prometheus base units: seconds for times, one unit per metric name. */
const PER_INCIDENT: readonly { metric: PerIncident; name: string; help: string }[] = [
  {
    metric: 'detection_time',
    name: 'rollback_bot_detection_time_seconds',
    help:
      'Deployment went live to issue detected, seconds (runbook target < 300), over the ' +
      'incidents of the last 30 days.',
  },
  {
    metric: 'execution_time',
    name: 'rollback_bot_execution_time_seconds',
    help: 'Rollback decision to production restored, seconds (runbook target < 300), last 30 days.',
  },
  {
    metric: 'downtime',
    name: 'rollback_bot_downtime_seconds',
    help: 'User-facing downtime, impact start to restored, seconds (runbook target < 900), last 30 days.',
  },
  {
    metric: 'data_loss',
    name: 'rollback_bot_data_loss_rows',
    help: 'Archived values not restored after a schema rollback, rows (runbook target 0), last 30 days.',
  },
];

export function createRunbookGauges(
  registry: Registry,
  options: { ttlMs?: number; now?: () => number } = {},
): RunbookGauges {
  const ttlMs = options.ttlMs ?? 15_000;
  const now = options.now ?? Date.now;
  let read: (() => Promise<ServiceFigures[]>) | undefined;
  let cache: { at: number; figures: Promise<ServiceFigures[]> } | undefined;

  /** The figures for this scrape; a failed read shows no figures rather than stale ones. */
  const figures = (): Promise<ServiceFigures[]> => {
    if (!read) return Promise.resolve([]);
    if (!cache || now() - cache.at >= ttlMs) {
      const pending = read().catch(() => {
        cache = undefined;
        return [];
      });
      cache = { at: now(), figures: pending };
    }
    return cache.figures;
  };

  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    fill: (g: Gauge<L>, all: ServiceFigures[]) => void,
  ): void => {
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const all = await figures();
        this.reset();
        fill(this, all);
      },
    });
  };

  const value = (metrics: RollbackMetrics, name: MetricName) => metrics.figures.find((f) => f.name === name);

  gauge(
    'rollback_bot_rollbacks_per_month',
    'Rollbacks per month over the last 30 days (runbook target < 1).',
    ['service'],
    (g, all) => {
      for (const { service, metrics } of all) g.set({ service }, value(metrics, 'rollback_frequency')?.value ?? 0);
    },
  );
  gauge(
    'rollback_bot_rollbacks_per_deployment',
    'Rollbacks per production deployment over the last 30 days (no runbook target).',
    ['service'],
    (g, all) => {
      for (const { service, metrics } of all) {
        const f = value(metrics, 'rollbacks_per_deployment');
        if (f?.value !== undefined) g.set({ service }, f.value);
      }
    },
  );
  for (const spec of PER_INCIDENT) {
    gauge(spec.name, `${spec.help} aggregate: worst incident or mean.`, ['service', 'aggregate'], (g, all) => {
      for (const { service, metrics } of all) {
        const f = value(metrics, spec.metric);
        if (f?.value !== undefined) g.set({ service, aggregate: 'worst' }, f.value);
        if (f?.mean !== undefined) g.set({ service, aggregate: 'mean' }, f.mean);
      }
    });
  }
  gauge(
    'rollback_bot_metric_target_met',
    '1 when the figure meets the runbook target over the last 30 days, 0 when missed; absent without data.',
    ['service', 'metric'],
    (g, all) => {
      for (const { service, metrics } of all) {
        for (const f of metrics.figures) if (f.pass !== undefined) g.set({ service, metric: f.name }, f.pass ? 1 : 0);
      }
    },
  );
  gauge(
    'rollback_bot_metric_target',
    "The runbook's targets in each figure's unit (seconds for times): the figure must " +
      'stay below this (data loss: equal it).',
    ['metric'],
    (g) => {
      for (const [metric, target] of Object.entries(TARGETS)) g.set({ metric }, target.limit);
    },
  );

  for (const spec of FLAG_ACTIONS) {
    const help = `${spec.help} over the last 30 days (incident actions that are not rollbacks).`;
    gauge(spec.name, help, ['service'], (g, all) => {
      for (const { service, actions } of all) if (actions) g.set({ service }, actions[spec.figure]);
    });
  }

  for (const spec of RELEASE_COUNTS) {
    gauge(spec.name, `${spec.help} over the last 30 days.`, ['service'], (g, all) => {
      for (const { service, releases } of all) if (releases) g.set({ service }, releases[spec.figure]);
    });
  }
  gauge(
    'rollback_bot_release_traffic_exposed_at_abort_percent',
    'Share of production traffic (0-100) on the canary when a release was aborted, last 30 days; ' +
      'aggregate: worst abort or mean. Absent without an abort.',
    ['service', 'aggregate'],
    (g, all) => {
      for (const { service, releases } of all) {
        if (!releases?.exposed) continue;
        g.set({ service, aggregate: 'worst' }, releases.exposed.maxPercent);
        g.set({ service, aggregate: 'mean' }, releases.exposed.meanPercent);
      }
    },
  );

  return {
    serve(source) {
      read = source;
      cache = undefined;
    },
  };
}

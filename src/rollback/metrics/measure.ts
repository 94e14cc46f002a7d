/**
 * The runbook's metrics over the last days, read through the store: what
 * `/rollback stats`, App Home and the Prometheus gauges all show.
 */
import type { IncidentStore } from '../ports/incident-store';
import { incidentTimes } from './incident-times';
import { type RollbackMetrics, rollbackMetrics } from './rollback-metrics';

/** "Rollback frequency: < 1 per month" is judged over the last 30 days. */
export const METRICS_PERIOD_DAYS = 30;

const DAY = 86_400_000;

export async function measureRollbacks(
  store: Pick<IncidentStore, 'metricsInputs'>,
  options: { service?: string; at: Date; days?: number },
): Promise<RollbackMetrics> {
  const to = options.at;
  const from = new Date(to.getTime() - (options.days ?? METRICS_PERIOD_DAYS) * DAY);
  const { incidents, deployments } = await store.metricsInputs({ service: options.service, from, to });
  const times = incidents.map((input) =>
    incidentTimes(input.incident, { deployedAt: input.deployedAt, archives: input.archives }),
  );
  return rollbackMetrics(times, { from, to, deployments });
}

/** Each service's figures, for the Prometheus gauges. */
export async function measureEachService(
  store: Pick<IncidentStore, 'metricsInputs'>,
  services: readonly { name: string }[],
  at: Date,
): Promise<{ service: string; metrics: RollbackMetrics }[]> {
  return Promise.all(
    services.map(async ({ name }) => ({
      service: name,
      metrics: await measureRollbacks(store, { service: name, at }),
    })),
  );
}

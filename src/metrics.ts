/** Prometheus metrics, one registry per app instance (so tests can run several). */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly slackDeliveries: Counter<'kind' | 'outcome'>;
  readonly slackAckSeconds: Histogram<'kind'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    slackDeliveries: new Counter({
      name: 'rollback_bot_slack_deliveries_total',
      help: 'Slack deliveries received, by kind and outcome (handled, duplicate, unavailable).',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    slackAckSeconds: new Histogram({
      name: 'rollback_bot_slack_ack_seconds',
      help: 'Time from receiving a Slack delivery to acknowledging it.',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3],
      registers: [registry],
    }),
  };
}

/** Prometheus metrics, one registry per app instance (so tests can run several). */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { type RunbookGauges, createRunbookGauges } from './post-rollback/runbook-gauges';

export interface Metrics {
  readonly registry: Registry;
  readonly slackDeliveries: Counter<'kind' | 'outcome'>;
  readonly slackAckSeconds: Histogram<'kind'>;
  /**
   * The runbook's rollback metrics per service, read from the store on scrape (see post-rollback/runbook-gauges.ts).
   */
  readonly runbook: RunbookGauges;
  /** Alert signals taken in (Slack messages, webhooks, probes), by source and firing/resolved. */
  readonly alertSignals: Counter<'source' | 'status'>;
  /** Alerts recognised but naming no configured service: ignored, counted here. */
  readonly alertsUnmatched: Counter<'source'>;
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
    runbook: createRunbookGauges(registry),
    alertSignals: new Counter({
      name: 'rollback_bot_alert_signals_total',
      help:
        'Alert signals taken in, by source (alertmanager, grafana, datadog, sentry, ' +
        'plain_text, probe) and status (firing, resolved).',
      labelNames: ['source', 'status'],
      registers: [registry],
    }),
    alertsUnmatched: new Counter({
      name: 'rollback_bot_alerts_unmatched_total',
      help:
        'Alerts that named no configured service, by source: ignored (check the service ' +
        'label or the services file).',
      labelNames: ['source'],
      registers: [registry],
    }),
  };
}

/**
 * Detection, wired: the alert intake (Slack alerts channels, webhooks,
 * probes), the per-interval evaluation the `detect:<service>` jobs run, and
 * the Monitor / Open incident answers. Built from the store, the engine and a
 * notifier; every replica builds its own, and they share only PostgreSQL.
 */
import type { ServiceConfig } from '../config/service-schema';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { probeEvidence } from '../probes/probe-sample';
import { servingFacts } from './episode-facts';
import type { ProbeEvidence } from '../probes/probe-sample';
import type { Clock } from '../rollback/clock';
import { DEFAULT_MONITOR_WINDOW_MS } from '../rollback/detection/monitor';
import { findService } from '../rollback/services';
import type { SlackUserId } from '../rollback/ids';
import type { EngineDeps } from '../rollback/incident/engine-deps';
import type { Notifier } from '../slack/outbox/notifier';
import type { Db } from '../store/pool';
import { createDetectionAnnouncer } from './announce';
import { chooseMonitorFor, openIncidentFromProposal } from './decisions';
import { createDetectionStore } from './detection-store';
import { type IntervalOutcome, evaluateInterval } from './evaluate';
import { type AlertIntake, createAlertIntake } from './intake';

export type { AlertIntake, IngestResult, WebhookTool } from './intake';

interface DetectionDeps {
  db: Db;
  services: readonly ServiceConfig[];
  /** The incident engine, built once the adapters are wired. */
  engine: () => EngineDeps;
  notifier: Notifier;
  logger: Logger;
  metrics?: Pick<Metrics, 'alertSignals' | 'alertsUnmatched'>;
}

export interface DetectionOptions {
  flushIntervalMs?: number;
  maxPending?: number;
  monitorWindowMs?: number;
  /** What the probes measured; default: the probes' recorded results. */
  probeEvidence?: (service: ServiceConfig, from: Date, to: Date) => Promise<ProbeEvidence>;
}

export interface Detection {
  intake: AlertIntake;
  /** One evaluation interval of one service, for the cron slot `slot`. */
  evaluate(service: string, slot: Date): Promise<IntervalOutcome>;
  monitor(input: { incidentId: string; actor: SlackUserId }): Promise<string>;
  openIncident(input: { detectionId: string; actor: SlackUserId }): Promise<string>;
  /** Writes what is pending; takes nothing more. */
  stop(): Promise<void>;
}

export function createDetection(deps: DetectionDeps, options: DetectionOptions = {}): Detection {
  const store = createDetectionStore(deps.db);
  const clock: Clock = { now: () => deps.engine().clock.now() };
  const announcer = createDetectionAnnouncer({ store, notifier: deps.notifier, services: deps.services, clock });
  const evidence =
    options.probeEvidence ??
    ((service: ServiceConfig, from: Date, to: Date) => probeEvidence(deps.db, service, from, to));
  const monitorWindowMs = options.monitorWindowMs ?? DEFAULT_MONITOR_WINDOW_MS;
  const intake = createAlertIntake({
    store,
    services: deps.services,
    clock,
    logger: deps.logger,
    metrics: deps.metrics,
    flushIntervalMs: options.flushIntervalMs,
    maxPending: options.maxPending,
    // A storm's milestones update the episode's one message in place; nothing new is posted.
    onPost: async (services) => {
      for (const service of services) {
        const open = await store.openDetectionOf(service);
        if (open) await announcer.refresh(open);
      }
    },
  });
  const decisionDeps = () => ({ engine: deps.engine(), store, announcer, monitorWindowMs });
  return {
    intake,
    evaluate: (service, slot) =>
      evaluateInterval(
        {
          engine: deps.engine(),
          store,
          announcer,
          probeEvidence: evidence,
          servingFacts: (s, now) => servingFacts(deps.db, s.name, now),
        },
        findService(deps.services, service),
        slot,
      ),
    monitor: (input) => chooseMonitorFor(decisionDeps(), input),
    openIncident: (input) => openIncidentFromProposal(decisionDeps(), input),
    stop: () => intake.stop(),
  };
}

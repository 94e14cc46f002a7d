/**
 * One evaluation interval of one service (the `detect:<service>` job): the
 * alerts firing now and what the probes measured make the interval's sample;
 * the runbook's rules judge it with the stored consecutive counts; the new
 * state is stored (each cron slot once, whichever replica runs it); then the
 * bot acts on the verdict.
 */
import type { ServiceConfig } from '../config/service-schema';
import type { ProbeEvidence } from '../probes/probe-sample';
import { ALERT_EXPIRY_MS, signalOf } from '../rollback/detection/alert-state';
import type { DetectionStore } from '../rollback/detection/detection-record';
import { type DetectionAction, respond } from '../rollback/detection/respond';
import type { EngineDeps } from '../rollback/incident/engine-deps';
import { type Evaluation, evaluate, sampleFromSignals } from '../rollback/signals';
import { act } from './act';
import type { ServingFacts } from './episode-facts';
import type { DetectionAnnouncer } from './announce';

/** Alerts nobody mentioned for this long are forgotten (they stopped firing long ago). */
const FORGET_AFTER_MS = 7 * 24 * 3_600_000;

interface EvaluateDeps {
  engine: EngineDeps;
  store: DetectionStore;
  announcer: DetectionAnnouncer;
  probeEvidence(service: ServiceConfig, from: Date, to: Date): Promise<ProbeEvidence>;
  /** Go-live of the serving deployment and the probe runs since, to date an incident from evidence. */
  servingFacts?(service: ServiceConfig, now: Date): Promise<ServingFacts>;
}

export type IntervalOutcome =
  | { service: string; slot: Date; evaluated: false; why: string }
  | { service: string; slot: Date; evaluated: true; evaluation: Evaluation; actions: DetectionAction['kind'][] };

export async function evaluateInterval(
  deps: EvaluateDeps,
  service: ServiceConfig,
  slot: Date,
): Promise<IntervalOutcome> {
  const { engine, store } = deps;
  const stored = await store.triggerState(service.name);
  if (stored.lastSlot && stored.lastSlot.getTime() >= slot.getTime()) {
    return {
      service: service.name,
      slot,
      evaluated: false,
      why: `slot already evaluated (last ${stored.lastSlot.toISOString()})`,
    };
  }
  const now = engine.clock.now();
  const firing = await store.firingAlerts(service.name, now);
  // Probe runs are stamped with their own cron slot: [slot - interval, slot) holds exactly the last complete run.
  const from = new Date(slot.getTime() - service.triggers.evaluationIntervalSeconds * 1000);
  const evidence = await deps.probeEvidence(service, from, slot);
  const sample = sampleFromSignals({ ...evidence, at: now }, firing.map(signalOf));
  const evaluation = evaluate({ fiveXxIntervals: stored.fiveXxIntervals }, sample, service.triggers);
  const saved = await store.saveTriggerState(service.name, slot, {
    fiveXxIntervals: evaluation.state.fiveXxIntervals,
    lastVerdict: evaluation.verdict,
    ...(evaluation.rule ? { lastRule: evaluation.rule } : {}),
    lastReason: evaluation.reason.slice(0, 2000),
  });
  if (!saved) return { service: service.name, slot, evaluated: false, why: 'another run stored this slot first' };

  const incident = await engine.store.findOpenIncident(service.name);
  const hasSteps = incident ? (await engine.store.steps(incident.id)).length > 0 : false;
  const detection = await store.openDetectionOf(service.name);
  const actions = respond({
    now,
    evaluation,
    previous: {
      ...(stored.lastVerdict ? { verdict: stored.lastVerdict } : {}),
      ...(stored.lastRule ? { rule: stored.lastRule } : {}),
    },
    autopilot: service.autopilot,
    firingAlerts: firing.length,
    ...(detection ? { detection } : {}),
    ...(incident
      ? { incident: { id: incident.id, hasSteps, ...(incident.severity ? { severity: incident.severity } : {}) } }
      : {}),
  });
  const serving =
    actions.some((a) => a.kind === 'autopilot_rollback' || a.kind === 'ask') && deps.servingFacts
      ? await deps.servingFacts(service, now)
      : undefined;
  await act(
    { engine, store, announcer: deps.announcer },
    {
      service,
      now,
      evaluation,
      firing,
      ...(serving ? { serving } : {}),
      ...(detection ? { detection } : {}),
      ...(incident ? { incident } : {}),
    },
    actions,
  );
  await store.forgetStaleAlerts(service.name, new Date(now.getTime() - Math.max(FORGET_AFTER_MS, ALERT_EXPIRY_MS)));
  return { service: service.name, slot, evaluated: true, evaluation, actions: actions.map((a) => a.kind) };
}

/**
 * Autopilot: on a MUST trigger of a service with `autopilot: true`, the bot
 * rolls back to the last known good at once, through the same request path as
 * /rollback (authority checked for the autopilot actor), posts everything as
 * usual and notifies the CTO. An incident already open at the hotfix question
 * is taken over the way "Roll back now" would.
 */
import type { ServiceConfig } from '../config/service-schema';
import type { AlertState } from '../rollback/detection/alert-state';
import { incidentWords } from '../rollback/detection/describe';
import type { EpisodeTimes } from '../rollback/detection/episode-evidence';
import { AUTOPILOT_ACTOR, refusalError } from '../rollback/incident/authority';
import { decideAct } from '../rollback/incident/decision-matrix';
import type { EngineDeps } from '../rollback/incident/engine-deps';
import { rollBackNow } from '../rollback/incident/hotfix';
import { requestRollback } from '../rollback/incident/request-rollback';
import type { IncidentRecord } from '../rollback/ports/incident-store';
import type { Evaluation } from '../rollback/signals/triggers';
import type { DetectionAnnouncer } from './announce';
import { noteDetectedFrom } from './detected-note';

interface AutopilotInput {
  service: ServiceConfig;
  evaluation: Pick<Evaluation, 'verdict' | 'rule' | 'reason'>;
  firing: readonly AlertState[];
  /** Dated from the rule's own evidence (act.ts datedEpisode). */
  episode: EpisodeTimes;
}

async function notifyCto(
  engine: EngineDeps,
  announcer: DetectionAnnouncer,
  service: ServiceConfig,
  incident: IncidentRecord,
  reason: string,
): Promise<void> {
  const roles = await engine.roles.resolve(service);
  await announcer.autopilotNotice(incident, reason, roles.cto);
  await engine.store.appendTimeline({
    incidentId: incident.id,
    service: service.name,
    actor: AUTOPILOT_ACTOR,
    kind: 'cto_notified',
    message: 'Autopilot rolled back without a person pressing anything: the CTO was notified by direct message.',
  });
}

/**
 * Opens the incident and starts the application rollback; returns it and whether it was created (false: one was open).
 */
export async function autopilotRollback(
  engine: EngineDeps,
  announcer: DetectionAnnouncer,
  input: AutopilotInput,
): Promise<{ incident: IncidentRecord; created: boolean }> {
  const { service, evaluation } = input;
  const words = incidentWords(evaluation, input.episode.evidence.detectedFrom);
  const accepted = await requestRollback(engine, {
    service: service.name,
    request: { kind: 'application', reason: words.issue },
    actor: AUTOPILOT_ACTOR,
    issue: words.issue,
    trigger: words.trigger,
    severity: 'must',
    ...input.episode,
  });
  if (accepted.created) {
    await noteDetectedFrom(engine, accepted.incident, input.episode);
    await engine.store.appendTimeline({
      incidentId: accepted.incident.id,
      service: service.name,
      actor: AUTOPILOT_ACTOR,
      kind: 'autopilot',
      message: `MUST trigger with autopilot on: rolling back to the last known good at once. ${evaluation.reason}`,
      data: { rule: evaluation.rule ?? null },
    });
    await notifyCto(engine, announcer, service, accepted.incident, evaluation.reason);
  }
  return { incident: accepted.incident, created: accepted.created };
}

/** An open incident still at the hotfix question, rolled back as "Roll back now" would, by the autopilot actor. */
export async function autopilotTakeOver(
  engine: EngineDeps,
  announcer: DetectionAnnouncer,
  input: Omit<AutopilotInput, 'episode'> & { incident: IncidentRecord },
): Promise<boolean> {
  const { service, incident } = input;
  const now = engine.clock.now();
  const roles = await engine.roles.resolve(service);
  const decision = decideAct({
    service,
    roles,
    actor: AUTOPILOT_ACTOR,
    act: { kind: 'execute', rollback: 'application' },
    at: now,
  });
  if (!decision.allowed) throw refusalError(decision);
  const decided = await rollBackNow(engine, incident, {
    actor: AUTOPILOT_ACTOR,
    why: `Autopilot: the trigger became a MUST (${input.evaluation.reason}).`,
    severity: 'must',
    data: { rule: input.evaluation.rule ?? null },
  });
  if (!decided) return false;
  await notifyCto(engine, announcer, service, incident, input.evaluation.reason);
  return true;
}

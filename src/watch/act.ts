/**
 * Carries out what respond() decided for one interval, in order: the
 * detection record first, then the incident (opened, asked, rolled back,
 * noted, closed), then the episode's message, rendered afresh. Every step is idempotent or
 * compare-and-set, so a replica that crashes half way is finished by the
 * next interval rather than repeated.
 */
import type { ServiceConfig } from '../config/service-schema';
import type { AlertState } from '../rollback/detection/alert-state';
import { incidentWords, verdictWords } from '../rollback/detection/describe';
import { type EpisodeTimes, episodeTimes } from '../rollback/detection/episode-evidence';
import type { DetectionRecord, DetectionStore, IncidentOrigin } from '../rollback/detection/detection-record';
import type { DetectionAction } from '../rollback/detection/respond';
import { AUTOPILOT_ACTOR } from '../rollback/incident/authority';
import type { EngineDeps } from '../rollback/incident/engine-deps';
import { openQuestionIncident } from '../rollback/incident/hotfix';
import { addAlertedFlags, alertFeatures } from '../rollback/incident/incident-features';
import type { IncidentRecord } from '../rollback/ports/incident-store';
import type { Evaluation } from '../rollback/signals/triggers';
import type { DetectionAnnouncer } from './announce';
import { autopilotRollback, autopilotTakeOver } from './autopilot';
import { noteDetectedFrom } from './detected-note';
import type { ServingFacts } from './episode-facts';

interface ActDeps {
  engine: EngineDeps;
  store: DetectionStore;
  announcer: DetectionAnnouncer;
}

interface ActContext {
  service: ServiceConfig;
  now: Date;
  evaluation: Pick<Evaluation, 'verdict' | 'rule' | 'reason'>;
  firing: readonly AlertState[];
  /** Go-live and probe runs since, when read for dating a new incident. */
  serving?: ServingFacts;
  detection?: DetectionRecord;
  /** The service's open incident when the interval began (alerts firing now join it). */
  incident?: IncidentRecord;
}

/** When the episode was detected and its impact started, from the rule's own evidence. */
function datedEpisode(ctx: Pick<ActContext, 'evaluation' | 'firing' | 'serving' | 'now'>): EpisodeTimes {
  return episodeTimes({ rule: ctx.evaluation.rule, alerts: ctx.firing, now: ctx.now, ...(ctx.serving ?? {}) });
}

/** Where an episode begins: its earliest firing alert, or now when only the probes saw it. */
function episodeStart(firing: readonly AlertState[], now: Date): Date {
  return firing.reduce((min, a) => (a.firstSeenAt.getTime() < min.getTime() ? a.firstSeenAt : min), now);
}

export async function act(
  deps: ActDeps,
  ctx: ActContext,
  actions: readonly DetectionAction[],
): Promise<DetectionRecord | undefined> {
  const { engine, store, announcer } = deps;
  const { service, evaluation, now } = ctx;
  let detection = ctx.detection;
  const note = (incidentId: string, kind: string, message: string): Promise<void> =>
    engine.store.appendTimeline({
      incidentId,
      service: service.name,
      actor: AUTOPILOT_ACTOR,
      kind,
      message,
      data: { verdict: evaluation.verdict, rule: evaluation.rule ?? null },
    });
  const link = async (incidentId: string, origin: IncidentOrigin): Promise<void> => {
    if (!detection || detection.incident) return;
    detection =
      (await store.updateDetection(detection.id, { at: now, incident: { id: incidentId, origin } })) ??
      (await store.getDetection(detection.id)) ??
      detection;
  };
  const rule = evaluation.rule ?? null;

  for (const action of actions) {
    switch (action.kind) {
      case 'open_detection': {
        const joined = action.joinIncident ? { incident: { id: action.joinIncident, origin: 'joined' as const } } : {};
        const opened = await store.openDetection({
          service: service.name,
          level: action.level,
          reason: evaluation.reason,
          since: episodeStart(ctx.firing, now),
          openedAt: now,
          ...(evaluation.rule ? { rule: evaluation.rule } : {}),
          ...joined,
        });
        detection = opened.detection;
        if (opened.created && action.joinIncident) {
          await note(
            action.joinIncident,
            'trigger_detected',
            `Alerts for the open incident: ${verdictWords(evaluation.verdict, evaluation.rule)}. ${evaluation.reason}`,
          );
        }
        break;
      }
      case 'update_detection': {
        if (!detection) break;
        const joined = action.joinIncident ? { incident: { id: action.joinIncident, origin: 'joined' as const } } : {};
        detection =
          (await store.updateDetection(detection.id, {
            at: now,
            level: action.level,
            rule,
            reason: evaluation.reason,
            ...joined,
          })) ?? detection;
        break;
      }
      case 'autopilot_rollback': {
        const { incident, created } = await autopilotRollback(engine, announcer, {
          service,
          evaluation,
          firing: ctx.firing,
          episode: datedEpisode(ctx),
        });
        await link(incident.id, created ? 'detection' : 'joined');
        break;
      }
      case 'autopilot_take_over': {
        const incident = await engine.store.getIncident(action.incidentId);
        if (incident) await autopilotTakeOver(engine, announcer, { service, evaluation, firing: ctx.firing, incident });
        break;
      }
      case 'ask': {
        const episode = datedEpisode(ctx);
        const words = incidentWords(evaluation, episode.evidence.detectedFrom);
        const opened = await openQuestionIncident(engine, {
          service: service.name,
          issue: words.issue,
          trigger: words.trigger,
          actor: AUTOPILOT_ACTOR,
          severity: action.severity,
          // A feature or flag named only in an alert's labels or annotations still gets its "Disable <flag>".
          features: alertFeatures(service, ctx.firing),
          ...episode,
        });
        if (opened.created) await noteDetectedFrom(engine, opened.incident, episode);
        await link(opened.incident.id, opened.created ? 'detection' : 'joined');
        break;
      }
      case 'propose': {
        if (!detection) break;
        detection =
          (await store.updateDetection(detection.id, {
            at: now,
            proposalPosted: true,
            level: 'may',
            rule,
            reason: evaluation.reason,
          })) ?? detection;
        break;
      }
      case 'note':
        await note(
          action.incidentId,
          'trigger_evaluation',
          `Trigger evaluation: ${verdictWords(evaluation.verdict, evaluation.rule)}. ${evaluation.reason}`,
        );
        break;
      case 'raise_severity':
        await engine.store.updateIncident(action.incidentId, { severity: action.severity });
        await note(
          action.incidentId,
          'severity_raised',
          `Severity raised to ${action.severity.toUpperCase()}: ${evaluation.reason}`,
        );
        break;
      case 'ask_again': {
        const incident = await engine.store.getIncident(action.incidentId);
        if (!incident || !detection) break;
        await announcer.askedAgain(incident, detection, evaluation.reason);
        detection =
          (await store.updateDetection(detection.id, { at: now, monitor: null, askedAgain: true })) ?? detection;
        await note(
          action.incidentId,
          'decision_asked_again',
          `The monitor window is over and the trigger still fires: asked again. ${evaluation.reason}`,
        );
        break;
      }
      case 'close_recovered': {
        const incident = await engine.store.getIncident(action.incidentId);
        if (!incident || !detection) break;
        const totals = await store.alertTotals(service.name, detection.since, now);
        const resolvedAt = totals.lastResolvedAt ?? now;
        // The move and its timeline entry in one transaction: a crash between them would leave a gap.
        const closed = await engine.store.moveIncident(
          incident.id,
          'open',
          'resolved',
          {
            closedAt: now,
            restoredAt: resolvedAt,
            data: { facts: { ...incident.data.facts, outcome: 'recovered_without_rollback' } },
          },
          {
            incidentId: incident.id,
            service: service.name,
            actor: AUTOPILOT_ACTOR,
            kind: 'recovered',
            message:
              `Every alert resolved (last at ${resolvedAt.toISOString()}) and no trigger fires: ` +
              `closed as recovered without rollback.`,
            data: { verdict: evaluation.verdict, rule },
          },
        );
        if (!closed) break;
        await announcer.recovered(closed, detection, resolvedAt);
        break;
      }
      case 'end_detection':
        if (detection)
          detection = (await store.updateDetection(detection.id, { at: now, end: action.reason })) ?? detection;
        break;
    }
  }
  // Alerts that joined the incident already open may name a flag it does not offer yet.
  if (ctx.incident) await addAlertedFlags(engine, ctx.incident, alertFeatures(service, ctx.firing));
  // Every interval renders the episode's message again: a storm's counts stay current, and unchanged content is no
  // Slack call.
  if (detection) await announcer.refresh(detection);
  return detection;
}

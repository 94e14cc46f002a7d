/**
 * People's answers to detection: "Monitor" on a detected incident (recorded,
 * asked again if the trigger persists past the window) and "Open incident" on
 * a MAY post. Both need one of the service's rollback roles.
 */
import { findService } from '../rollback/services';
import type { ServiceConfig } from '../config/service-schema';
import { type DetectionRecord, type DetectionStore } from '../rollback/detection/detection-record';
import { verdictWords } from '../rollback/detection/describe';
import { episodeTimes } from '../rollback/detection/episode-evidence';
import { noteDetectedFrom } from './detected-note';
import { chooseMonitor, windowWords } from '../rollback/detection/monitor';
import { RollbackError } from '../rollback/errors';
import type { SlackUserId } from '../rollback/ids';
import { authorize } from '../rollback/incident/gate';
import type { EngineDeps } from '../rollback/incident/engine-deps';
import { openQuestionIncident, readQuestion } from '../rollback/incident/hotfix';
import type { IncidentRecord } from '../rollback/ports/incident-store';
import { formatTime } from '../slack/blocks/format';
import type { DetectionAnnouncer } from './announce';

interface DecisionDeps {
  engine: EngineDeps;
  store: DetectionStore;
  announcer: DetectionAnnouncer;
  monitorWindowMs: number;
}

/** Detection's answers change an incident without moving production: the gate's "decide", any role of the service. */
async function requireRole(
  engine: EngineDeps,
  service: ServiceConfig,
  actor: SlackUserId,
  incidentId: string | undefined,
  what: string,
): Promise<void> {
  await authorize(engine, {
    service: service.name,
    actor,
    act: { kind: 'decide', what },
    ...(incidentId ? { incidentId } : {}),
  });
}

/** The open detection record that follows this incident, made or linked when there is none. */
async function detectionFor(deps: DecisionDeps, incident: IncidentRecord, now: Date): Promise<DetectionRecord> {
  const linked = await deps.store.detectionOfIncident(incident.id);
  if (linked?.status === 'open') return linked;
  const open = await deps.store.openDetectionOf(incident.service);
  if (open && !open.incident) {
    const joined = await deps.store.updateDetection(open.id, {
      at: now,
      incident: { id: incident.id, origin: 'joined' },
    });
    if (joined) return joined;
  } else if (open) {
    await deps.store.updateDetection(open.id, { at: now, end: `superseded by incident ${incident.id}` });
  }
  const opened = await deps.store.openDetection({
    service: incident.service,
    level: incident.severity ?? 'may',
    reason: incident.issue,
    since: now,
    openedAt: now,
    incident: { id: incident.id, origin: 'joined' },
  });
  return opened.detection;
}

export async function chooseMonitorFor(
  deps: DecisionDeps,
  input: { incidentId: string; actor: SlackUserId },
): Promise<string> {
  const { engine } = deps;
  const incident = await engine.store.getIncident(input.incidentId);
  if (!incident)
    throw new RollbackError('not_found', `Incident ${input.incidentId.slice(0, 40)} does not exist.`, {
      fix: 'Use /rollback status to see the open incidents.',
    });
  const service = findService(engine.services, incident.service);
  await requireRole(engine, service, input.actor, incident.id, 'choose Monitor');
  const now = engine.clock.now();
  const hasSteps = (await engine.store.steps(incident.id)).length > 0;
  const question = readQuestion(incident.data.hotfix);
  const choice = chooseMonitor({
    incident: { id: incident.id, state: incident.state, hasSteps, ...(question ? { question } : {}) },
    by: input.actor,
    at: now,
    windowMs: deps.monitorWindowMs,
  });
  const detection = await detectionFor(deps, incident, now);
  const updated = (await deps.store.updateDetection(detection.id, { at: now, monitor: choice })) ?? detection;
  const until = formatTime(choice.until, service.workingHours.timeZone);
  const message =
    `Monitor chosen by <@${input.actor}>: the bot asks again at ${until} (in ` +
    `${windowWords(deps.monitorWindowMs)}) if the trigger still fires; Roll back now ` +
    `stays available.`;
  await engine.store.appendTimeline({
    incidentId: incident.id,
    service: service.name,
    actor: input.actor,
    kind: 'decision_monitor',
    message,
    data: { until: choice.until.toISOString() },
  });
  await deps.announcer.refresh(updated);
  return message;
}

export async function openIncidentFromProposal(
  deps: DecisionDeps,
  input: { detectionId: string; actor: SlackUserId },
): Promise<string> {
  const { engine } = deps;
  const detection = await deps.store.getDetection(input.detectionId);
  if (!detection)
    throw new RollbackError('not_found', 'This proposal is not in the bot’s records.', {
      fix: 'Use /rollback if production needs rolling back.',
    });
  if (detection.incident) return `Incident ${detection.incident.id} is already open for this; follow it in its thread.`;
  if (detection.status !== 'open') {
    throw new RollbackError('conflict', `This proposal is over (${detection.endReason ?? 'ended'}); nothing to open.`, {
      fix: 'Use /rollback if production still needs rolling back.',
    });
  }
  const service = findService(engine.services, detection.service);
  await requireRole(engine, service, input.actor, undefined, 'open an incident');
  const now = engine.clock.now();
  const alerts = await deps.store.episodeAlerts(service.name, detection.since, 1000);
  // A person opens it later: the episode was detected when the detection record opened, at the latest.
  const episode = episodeTimes({ rule: detection.rule, alerts, now: detection.openedAt });
  const opened = await openQuestionIncident(engine, {
    service: service.name,
    issue: detection.reason,
    trigger: `${verdictWords(detection.level, detection.rule)}, opened by <@${input.actor}> from the alerts post`,
    actor: input.actor,
    severity: detection.level,
    ...episode,
  });
  if (opened.created) await noteDetectedFrom(engine, opened.incident, episode);
  const linked =
    (await deps.store.updateDetection(detection.id, {
      at: now,
      incident: { id: opened.incident.id, origin: opened.created ? 'proposal' : 'joined' },
    })) ?? detection;
  await deps.announcer.refresh(linked);
  return opened.created
    ? `Incident ${opened.incident.id} opened; it asks whether it can be hotfixed in ` +
        `under 5 minutes. Follow it in <#${service.slack.alertsChannel}>.`
    : `${service.name} already had an open incident, ${opened.incident.id}; the alerts were added to it.`;
}

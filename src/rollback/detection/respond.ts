/**
 * What the bot does about one interval's verdict, as data. The runbook's
 * levels: MUST opens an incident and, with autopilot, rolls back to the last
 * known good at once (otherwise it pages the owner with Roll back / Hotfix /
 * Monitor); SHOULD proposes with the same buttons; MAY posts once for
 * judgement; inconclusive and ok post nothing. One detection record per
 * episode holds at most one incident, and a service with an open incident
 * never gets a second one: the change is noted on its timeline instead.
 * Pure: src/detection/act.ts carries the actions out, then renders the
 * detection's one message again (unchanged content costs no Slack call).
 */
import type { Evaluation, TriggerRule, Verdict } from '../signals/triggers';
import type { DetectionRecord, TriggerLevel } from './detection-record';

export type DetectionAction =
  | { kind: 'open_detection'; level: TriggerLevel; joinIncident?: string }
  | { kind: 'update_detection'; level: TriggerLevel; joinIncident?: string }
  | { kind: 'autopilot_rollback' }
  | { kind: 'autopilot_take_over'; incidentId: string }
  | { kind: 'ask'; severity: 'must' | 'should' }
  | { kind: 'propose' }
  | { kind: 'note'; incidentId: string }
  | { kind: 'raise_severity'; incidentId: string; severity: TriggerLevel }
  | { kind: 'ask_again'; incidentId: string }
  | { kind: 'close_recovered'; incidentId: string }
  | { kind: 'end_detection'; reason: string };

interface OpenIncidentView {
  id: string;
  severity?: TriggerLevel;
  /** A rollback was chosen: steps exist (running, done or failed). */
  hasSteps: boolean;
}

export interface RespondInput {
  now: Date;
  evaluation: Pick<Evaluation, 'verdict' | 'rule' | 'reason'>;
  previous: { verdict?: Verdict; rule?: TriggerRule };
  autopilot: boolean;
  /** Alerts of the service firing now. */
  firingAlerts: number;
  /** The service's open detection record. */
  detection?: DetectionRecord;
  /** The service's open incident. */
  incident?: OpenIncidentView;
}

const RANK: Record<TriggerLevel, number> = { may: 1, should: 2, must: 3 };

function isTriggerLevel(verdict: Verdict): verdict is TriggerLevel {
  return verdict === 'must' || verdict === 'should' || verdict === 'may';
}

function higherLevel(a: TriggerLevel | undefined, b: TriggerLevel): boolean {
  return a === undefined || RANK[b] > RANK[a];
}

/**
 * An incident the bot may close when every alert resolved: one it opened, a person opened from its proposal, or one
 * being monitored.
 */
function closableOnRecovery(detection: DetectionRecord | undefined, incident: OpenIncidentView): boolean {
  if (incident.hasSteps || detection?.incident?.id !== incident.id) return false;
  return detection.incident.origin !== 'joined' || detection.monitor !== undefined;
}

function withIncident(input: RespondInput, incident: OpenIncidentView, changed: boolean): DetectionAction[] {
  const { evaluation, detection, now } = input;
  const verdict = evaluation.verdict;
  const actions: DetectionAction[] = [];
  if (changed && (input.previous.verdict !== undefined || isTriggerLevel(verdict)))
    actions.push({ kind: 'note', incidentId: incident.id });

  if (isTriggerLevel(verdict)) {
    if (!detection) actions.push({ kind: 'open_detection', level: verdict, joinIncident: incident.id });
    else if (changed || !detection.incident || higherLevel(detection.level, verdict)) {
      const level = higherLevel(detection.level, verdict) ? verdict : detection.level;
      actions.push({ kind: 'update_detection', level, ...(detection.incident ? {} : { joinIncident: incident.id }) });
    }
    if (!incident.hasSteps) {
      if (verdict === 'must' && input.autopilot) {
        actions.push({ kind: 'autopilot_take_over', incidentId: incident.id });
        return actions;
      }
      if (verdict !== 'may' && higherLevel(incident.severity, verdict))
        actions.push({ kind: 'raise_severity', incidentId: incident.id, severity: verdict });
      if (verdict !== 'may' && detection?.monitor && now.getTime() >= detection.monitor.until.getTime())
        actions.push({ kind: 'ask_again', incidentId: incident.id });
    }
    return actions;
  }

  if (input.firingAlerts === 0 && closableOnRecovery(detection, incident)) {
    actions.push({ kind: 'close_recovered', incidentId: incident.id });
    actions.push({
      kind: 'end_detection',
      reason: `every alert resolved and no trigger fires: ${incident.id} closed as recovered without rollback`,
    });
  }
  return actions;
}

function withoutIncident(input: RespondInput, changed: boolean): DetectionAction[] {
  const { evaluation, detection } = input;
  const verdict = evaluation.verdict;
  if (!isTriggerLevel(verdict)) {
    if (detection && input.firingAlerts === 0) {
      const reason = detection.incident
        ? `every alert resolved after ${detection.incident.id}`
        : 'every alert resolved on its own, without an incident';
      return [{ kind: 'end_detection', reason }];
    }
    return [];
  }
  // The episode already had its incident (now closed): the same alerts never open a second one.
  if (detection?.incident) return [];

  const record: DetectionAction = detection
    ? { kind: 'update_detection', level: higherLevel(detection.level, verdict) ? verdict : detection.level }
    : { kind: 'open_detection', level: verdict };
  switch (verdict) {
    case 'must':
      return [record, input.autopilot ? { kind: 'autopilot_rollback' } : { kind: 'ask', severity: 'must' }];
    case 'should':
      return [record, { kind: 'ask', severity: 'should' }];
    case 'may':
      if (!detection) return [record, { kind: 'propose' }];
      if (!detection.proposalPosted) return [{ kind: 'propose' }];
      return changed ? [record] : [];
  }
}

export function respond(input: RespondInput): DetectionAction[] {
  const changed = input.previous.verdict !== input.evaluation.verdict || input.previous.rule !== input.evaluation.rule;
  return input.incident ? withIncident(input, input.incident, changed) : withoutIncident(input, changed);
}

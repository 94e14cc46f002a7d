/**
 * The runbook's decision tree in an incident: "Can it be hotfixed in under 5
 * minutes?" A hotfix claim starts a five-minute timer; when it runs out the
 * question is asked again with the rollback proposed. "Roll back now" starts
 * the rollback at once whatever the question's state: the question never
 * holds a rollback up.
 */
import { findService } from '../services';
import { RollbackError } from '../errors';
import type { SlackUserId } from '../ids';
import type { IncidentEvidence, IncidentRecord } from '../ports/incident-store';
import {
  type HotfixQuestion,
  askHotfixQuestion,
  checkHotfixTimer,
  chooseRollback,
  claimHotfix,
  confirmHotfixed,
} from './decision-tree';
import type { DeploymentRecords, StepRecords } from '../ports/store-roles';
import type { IncidentEngineDeps } from './engine-deps';
import { isIncidentOpen } from './incident-state';
import { buildPlan } from './plan';
import { chooseDefaultTarget } from './request-rollback';
import { afterStepChange } from './run-steps';
import { authorize, noticeCto } from './gate';
import { cleanFeatures } from './incident-features';

/** Stored as JSON: dates come back as strings. */
export function readQuestion(raw: unknown): HotfixQuestion | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const q = raw as Record<string, unknown>;
  const date = (key: string): Date => new Date(String(q[key]));
  switch (q.status) {
    case 'asked':
      return { status: 'asked', round: Number(q.round), askedAt: date('askedAt') };
    case 'hotfix_claimed':
      return {
        status: 'hotfix_claimed',
        round: Number(q.round),
        claimedBy: q.claimedBy as SlackUserId,
        claimedAt: date('claimedAt'),
      };
    case 'hotfixed':
    case 'rollback_chosen':
      return { status: q.status, round: Number(q.round), by: q.by as SlackUserId, at: date('at') };
    default:
      return undefined;
  }
}

/** Opens an incident that asks the question first (a person's report or an alert, not a /rollback). */
interface QuestionIncidentInput {
  service: string;
  issue: string;
  trigger: string;
  actor: string;
  severity?: 'must' | 'should' | 'may';
  detectedAt?: Date;
  impactStartedAt?: Date;
  evidence?: IncidentEvidence;
  /** Features the alerts name in labels or annotations (kept on the incident for "Disable <flag>"). */
  features?: readonly string[];
}

export async function openQuestionIncident(
  deps: IncidentEngineDeps,
  input: QuestionIncidentInput,
): Promise<{ incident: IncidentRecord; created: boolean }> {
  const service = findService(deps.services, input.service);
  const features = cleanFeatures(input.features ?? []);
  const now = deps.clock.now();
  const opened = await deps.store.openIncident(
    {
      id: deps.ids.incidentId(now),
      service: service.name,
      issue: input.issue,
      trigger: input.trigger,
      severity: input.severity,
      openedBy: input.actor,
      openedAt: now,
      detectedAt: input.detectedAt,
      impactStartedAt: input.impactStartedAt,
      channelId: service.slack.alertsChannel,
      data: {
        request: { kind: 'application' },
        requestedBy: input.actor,
        owner: service.roles.devopsLead[0] ?? input.actor,
        hotfix: askHotfixQuestion(now),
        ...(input.evidence ? { evidence: input.evidence } : {}),
        ...(features.length > 0 ? { features } : {}),
      },
    },
    [],
    {
      service: service.name,
      actor: input.actor,
      kind: 'opened',
      message: `Incident opened: ${input.issue}. Asked: can it be hotfixed in under 5 minutes?`,
    },
  );
  if (opened.created) await deps.announcer.announce(opened.incident.id);
  return opened;
}

async function loadOpen(deps: IncidentEngineDeps, incidentId: string): Promise<IncidentRecord> {
  const incident = await deps.store.getIncident(incidentId);
  if (!incident || !isIncidentOpen(incident.state)) {
    throw new RollbackError(
      'conflict',
      `Incident ${incidentId.slice(0, 40)} is ${incident?.state ?? 'unknown'}; its buttons no longer do anything.`,
      { fix: 'Use /rollback if production still needs rolling back.' },
    );
  }
  return incident;
}

export type HotfixAnswer = 'hotfix' | 'hotfix_done' | 'rollback_now';

export async function answerHotfix(
  deps: IncidentEngineDeps,
  input: { incidentId: string; actor: SlackUserId; answer: HotfixAnswer },
): Promise<string> {
  const incident = await loadOpen(deps, input.incidentId);
  // "Roll back now" moves production: the decision matrix applies as to /rollback, with its after-hours notice.
  const act =
    input.answer === 'rollback_now'
      ? ({ kind: 'execute', rollback: 'application' } as const)
      : ({ kind: 'decide', what: 'answer the hotfix question' } as const);
  const granted = await authorize(deps, {
    service: incident.service,
    actor: input.actor,
    act,
    incidentId: incident.id,
  });
  const now = deps.clock.now();
  const question = readQuestion(incident.data.hotfix);
  let next: HotfixQuestion;
  let message: string;
  if (input.answer === 'rollback_now') {
    const gate = chooseRollback(question, input.actor, now);
    next = gate.question;
    message = gate.note;
    if (await addApplicationRollback(deps, incident)) {
      await deps.store.updateIncident(incident.id, {
        decidedAt: now,
        data: { owner: input.actor, requestedBy: input.actor },
      });
      await noticeCto(deps, incident, granted, input.actor);
      deps.wake();
    }
  } else {
    if (!question)
      throw new RollbackError('conflict', 'This incident was not asked the hotfix question.', {
        fix: 'Use /rollback to roll back.',
      });
    next =
      input.answer === 'hotfix' ? claimHotfix(question, input.actor, now) : confirmHotfixed(question, input.actor, now);
    message =
      input.answer === 'hotfix'
        ? `Hotfix claimed by <@${input.actor}>: the bot asks again in 5 minutes.`
        : `Hotfix reported out by <@${input.actor}>: monitor production.`;
  }
  await deps.store.updateIncident(incident.id, { data: { hotfix: next } });
  await deps.store.appendTimeline({
    incidentId: incident.id,
    actor: input.actor,
    kind: `decision_${input.answer}`,
    message,
  });
  await afterStepChange(deps, incident.id);
  return message;
}

/**
 * Gives an incident without steps its application rollback, to `target` when
 * named, else where the domain's precedence says (an active release's base,
 * the last known good, or the platform's previous production deployment). False when the
 * incident already has steps (a second "Roll back now", or the autopilot after
 * a person): it never runs twice.
 */
export async function addApplicationRollback(
  deps: Pick<IncidentEngineDeps, 'services' | 'liveReleases'> & { store: StepRecords & DeploymentRecords },
  incident: IncidentRecord,
  target?: string,
): Promise<boolean> {
  if ((await deps.store.steps(incident.id)).length > 0) return false;
  const service = findService(deps.services, incident.service);
  const chosen = target ? undefined : await chooseDefaultTarget(deps, service, { kind: 'application' });
  const plan = buildPlan('application');
  await deps.store.addSteps(
    incident.id,
    plan.steps.map((step) => ({
      position: step.position,
      kind: step.kind,
      state: 'pending' as const,
      input: { target: target ?? chosen?.deploymentId ?? null },
    })),
  );
  return true;
}

interface RollBackNow {
  readonly actor: SlackUserId;
  /** Why, after the decision tree's note, on the timeline. */
  readonly why: string;
  /** Where production goes; default the domain's precedence (a release's base, the last known good...). */
  readonly target?: string;
  readonly severity?: 'must';
  readonly data?: Record<string, unknown>;
}

/**
 * A MUST decides an incident still asking its hotfix question: its application
 * rollback starts now (the autopilot on the production monitor's MUST, or a
 * release aborted on its canary's, back to the release's base). False when the
 * incident already has steps: whatever runs there is left alone.
 */
export async function rollBackNow(
  deps: IncidentEngineDeps,
  incident: IncidentRecord,
  input: RollBackNow,
): Promise<boolean> {
  if (!(await addApplicationRollback(deps, incident, input.target))) return false;
  const now = deps.clock.now();
  const gate = chooseRollback(readQuestion(incident.data.hotfix), input.actor, now);
  await deps.store.updateIncident(incident.id, {
    decidedAt: now,
    ...(input.severity ? { severity: input.severity } : {}),
    data: { hotfix: gate.question, owner: input.actor, requestedBy: input.actor },
  });
  await deps.store.appendTimeline({
    incidentId: incident.id,
    service: incident.service,
    actor: input.actor,
    kind: 'decision_rollback_now',
    message: `${gate.note} ${input.why}`,
    data: input.data ?? {},
  });
  await afterStepChange(deps, incident.id);
  deps.wake();
  return true;
}

/** The runner's timer: a hotfix claim older than five minutes is asked again, with the rollback proposed. */
export async function askAgainAfterHotfixWindow(
  deps: IncidentEngineDeps,
  open: readonly IncidentRecord[],
): Promise<number> {
  let asked = 0;
  for (const incident of open) {
    const question = readQuestion(incident.data.hotfix);
    if (question?.status !== 'hotfix_claimed') continue;
    const timer = checkHotfixTimer(question, deps.clock.now());
    if (!timer.due) continue;
    await deps.store.updateIncident(incident.id, { data: { hotfix: timer.next } });
    await deps.store.appendTimeline({
      incidentId: incident.id,
      actor: 'rollback-bot',
      kind: 'decision_asked_again',
      message:
        `The 5 minutes of <@${question.claimedBy}>'s hotfix claim are up: asked again, ` + `and proposed the rollback.`,
    });
    await deps.announcer.announce(incident.id);
    asked += 1;
  }
  return asked;
}

/**
 * The one authority gate. Every path that starts, approves, rejects, cancels
 * or changes a rollback (slash command, form, every button, checklist) asks
 * `authorize` before it touches anything: the runbook's decision matrix and
 * its after-hours rule live in decision-matrix.ts, and this is the only caller of
 * those rules for people. A refusal is written to the timeline and thrown as
 * the typed error the Slack layer renders.
 */
import { findService } from '../services';
import type { ServiceConfig } from '../../config/service-schema';
import type { SlackUserId } from '../ids';
import { type ResolvedRoles, type Role, refusalError } from './authority';
import { type ActRefusal, type GatedAct, decideAct } from './decision-matrix';
import type { IncidentTimeline } from '../ports/store-roles';
import type { IncidentEngineDeps } from './engine-deps';

interface Granted {
  readonly service: ServiceConfig;
  readonly roles: ResolvedRoles;
  readonly as: Role | 'autopilot';
  /** The runbook's "after-hours: notify CTO asynchronously": the caller sends it once the incident exists. */
  readonly notifyCtoAsync: boolean;
  /** execute only: request_approval when the CTO must approve before the step runs. */
  readonly mode?: 'execute' | 'request_approval';
  /** approve only: what the verdict becomes. */
  readonly decision?: 'approved' | 'rejected';
}

interface GateInput {
  readonly service: string;
  readonly actor: SlackUserId;
  readonly act: GatedAct;
  /** The incident the act is about, for the refusal's timeline entry. */
  readonly incidentId?: string;
  /** Runs before a refusal is thrown when the approval request lapsed while still pending. */
  readonly onLapsed?: () => Promise<void>;
  /**
   * The refusal's timeline kind when its surface has its own (default: approval_refused for approvals, refused
   * otherwise).
   */
  readonly refusedKind?: string;
}

type Deps = Pick<IncidentEngineDeps, 'services' | 'roles' | 'clock'> & { store: IncidentTimeline };

function judge(service: ServiceConfig, roles: ResolvedRoles, input: GateInput, at: Date): Granted | ActRefusal {
  const decision = decideAct({ service, roles, actor: input.actor, act: input.act, at });
  if (!decision.allowed) return decision;
  const { allowed: _allowed, ...granted } = decision;
  return { service, roles, ...granted };
}

/** Decides, records a refusal on the timeline, and throws it; returns what was granted. */
export async function authorize(deps: Deps, input: GateInput): Promise<Granted> {
  const service = findService(deps.services, input.service);
  const roles = await deps.roles.resolve(service);
  const verdict = judge(service, roles, input, deps.clock.now());
  if ('roles' in verdict) return verdict;
  await deps.store.appendTimeline({
    ...(input.incidentId ? { incidentId: input.incidentId } : { service: service.name }),
    actor: input.actor,
    kind: input.refusedKind ?? (input.act.kind === 'approve' ? 'approval_refused' : 'refused'),
    message: `${describeAct(input.act)} by <@${input.actor}> refused: ${verdict.reason}`,
    data: { gate: input.act.kind, roleNeeded: verdict.roleNeeded ?? null, refusal: verdict.refusal ?? null },
  });
  if (verdict.lapsed && input.onLapsed) await input.onLapsed();
  throw refusalError(verdict);
}

function describeAct(act: GatedAct): string {
  switch (act.kind) {
    case 'execute':
      return `Rollback (${act.rollback})`;
    case 'approve':
      return act.verdict;
    case 'decide':
      return act.what.charAt(0).toUpperCase() + act.what.slice(1);
    case 'unpin':
      return 'Unpin';
    case 'flag':
      return `Turning the feature flag ${act.flag} ${act.state}`;
    case 'release':
      return `Release: ${act.what}`;
  }
}

/** The after-hours notice to the CTO, with its timeline entry; every path that executes sends it the same way. */
export async function noticeCto(
  deps: Pick<IncidentEngineDeps, 'announcer'> & { store: IncidentTimeline },
  incident: { id: string; service: string },
  granted: Granted,
  actor: SlackUserId,
): Promise<void> {
  if (!granted.notifyCtoAsync) return;
  await deps.announcer.notifyCto(incident.id, granted.roles.cto, actor);
  await deps.store.appendTimeline({
    incidentId: incident.id,
    service: incident.service,
    actor: 'rollback-bot',
    kind: 'cto_notified',
    message: 'Outside working hours: the on-call engineer executes; the CTO was notified by direct message.',
  });
}

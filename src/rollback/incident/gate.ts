/**
 * The one authority gate. Every path that starts, approves, rejects, cancels
 * or changes a rollback (slash command, form, every button, checklist) asks
 * `authorize` before it touches anything: the runbook's decision matrix and
 * its after-hours rule live in authority.ts, and this is the only caller of
 * those rules for people. A refusal is written to the timeline and thrown as
 * the typed error the Slack layer renders.
 */
import { findService } from '../services';
import type { ServiceConfig } from '../../config/service-schema';
import type { SlackUserId } from '../ids';
import {
  type ApprovalRequest,
  ROLES,
  type ResolvedRoles,
  type Role,
  decideApproval,
  decideAuthority,
  decideFlagAuthority,
  holds,
  refusalError,
} from './authority';
import type { EngineDeps } from './engine-deps';
import type { RollbackKind } from './plan';

/** What the actor wants to do, in the gate's words. */
export type GatedAct =
  /** Start or run a rollback of this kind now (slash command, form, "Roll back now"). */
  | { readonly kind: 'execute'; readonly rollback: RollbackKind }
  /** Approve or reject a CTO approval request. */
  | { readonly kind: 'approve'; readonly request: ApprovalRequest; readonly verdict: 'approve' | 'reject' }
  /** Change an incident without moving production (hotfix answers, Monitor, Open incident, the checklist): any role of the service. */
  | { readonly kind: 'decide'; readonly what: string }
  /** Unpin: promote a deployment so production follows new pushes again after an instant rollback (the DevOps lead). */
  | { readonly kind: 'unpin' }
  /** Turn a feature flag off or on (the runbook's alternative to a rollback): a code rollback's authority. */
  | { readonly kind: 'flag'; readonly flag: string; readonly state: 'on' | 'off' };

export type GateKind = GatedAct['kind'];

export interface Granted {
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

export interface GateInput {
  readonly service: string;
  readonly actor: SlackUserId;
  readonly act: GatedAct;
  /** The incident the act is about, for the refusal's timeline entry. */
  readonly incidentId?: string;
  /** Runs before a refusal is thrown when the approval request lapsed while still pending. */
  readonly onLapsed?: () => Promise<void>;
  /** The refusal's timeline kind when its surface has its own (default: approval_refused for approvals, refused otherwise). */
  readonly refusedKind?: string;
}

type Deps = Pick<EngineDeps, 'services' | 'roles' | 'clock' | 'store'>;

interface Refusal {
  reason: string;
  fix: string;
  roleNeeded?: Role | readonly Role[];
  refusal?: Parameters<typeof refusalError>[0]['refusal'];
  lapsed?: boolean;
}

function judge(service: ServiceConfig, roles: ResolvedRoles, input: GateInput, at: Date): Granted | Refusal {
  const { act, actor } = input;
  switch (act.kind) {
    case 'execute': {
      const decision = decideAuthority({ action: act.rollback, actor, roles, at, workingHours: service.workingHours, autopilot: service.autopilot });
      if (!decision.allowed) return decision;
      return { service, roles, as: decision.as, notifyCtoAsync: decision.notifyCtoAsync, mode: decision.mode };
    }
    case 'approve': {
      const outcome = decideApproval({ request: act.request, approver: actor, verdict: act.verdict, roles, at });
      if (!outcome.allowed) return { ...outcome, lapsed: outcome.markExpired };
      return { service, roles, as: outcome.as, notifyCtoAsync: false, decision: outcome.decision };
    }
    case 'unpin': {
      if (holds(roles, 'devopsLead', actor)) return { service, roles, as: 'devopsLead', notifyCtoAsync: false };
      return {
        reason: `Only the DevOps lead of ${service.name} may unpin production (promote a deployment); nothing was changed.`,
        fix: 'Ask the DevOps lead, or promote the deployment in the Vercel dashboard if you have the right there.',
        roleNeeded: 'devopsLead',
      };
    }
    case 'flag': {
      const what = `turn the feature flag ${act.flag} ${act.state}`;
      const decision = decideFlagAuthority({ actor, roles, at, workingHours: service.workingHours, what });
      if (!decision.allowed) return decision;
      return { service, roles, as: decision.as, notifyCtoAsync: decision.notifyCtoAsync, mode: decision.mode };
    }
    case 'decide': {
      const as = anyRoleOf(roles, actor);
      if (as) return { service, roles, as, notifyCtoAsync: false };
      return {
        reason: `Only the DevOps lead, on-call engineer, DBA or CTO of ${service.name} may ${act.what}; nothing was changed.`,
        fix: 'Ask one of them, or have yourself added to the roles in the services file.',
        roleNeeded: ROLES,
      };
    }
  }
}

const anyRoleOf = (roles: ResolvedRoles, user: SlackUserId): Role | undefined => ROLES.find((role) => holds(roles, role, user));

/** Whether the user holds any role of the service: who may change its incidents, and who sees them on App Home. */
export const holdsAnyRole = (roles: ResolvedRoles, user: SlackUserId): boolean => anyRoleOf(roles, user) !== undefined;

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
  }
}

/** The after-hours notice to the CTO, with its timeline entry; every path that executes sends it the same way. */
export async function noticeCto(deps: Pick<EngineDeps, 'announcer' | 'store'>, incident: { id: string; service: string }, granted: Granted, actor: SlackUserId): Promise<void> {
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

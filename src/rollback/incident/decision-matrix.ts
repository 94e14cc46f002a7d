/**
 * The runbook's Decision Matrix, whole: who may do what to a service's
 * rollbacks, in and after working hours. Every person's act (through the gate)
 * and the autopilot ask `decideAct`; authority.ts holds its parts (the roles,
 * executing a rollback, the CTO's approval).
 */
import type { ServiceConfig } from '../../config/service-schema';
import type { SlackUserId } from '../ids';
import {
  type ApprovalRefusal,
  type ApprovalRequest,
  ROLES,
  type ResolvedRoles,
  type Role,
  decideApproval,
  decideAuthority,
  decideFlagAuthority,
  holds,
} from './authority';
import type { RollbackKind } from './plan';

/** What the actor wants to do, in the gate's words. */
export type GatedAct =
  /** Start or run a rollback of this kind now (slash command, form, "Roll back now"). */
  | { readonly kind: 'execute'; readonly rollback: RollbackKind }
  /** Approve or reject a CTO approval request. */
  | { readonly kind: 'approve'; readonly request: ApprovalRequest; readonly verdict: 'approve' | 'reject' }
  /** Change an incident without moving production (hotfix answers, Monitor, Open incident, the checklist): any role. */
  | { readonly kind: 'decide'; readonly what: string }
  /** Unpin: promote a deployment so production follows new pushes again after an instant rollback (the DevOps lead). */
  | { readonly kind: 'unpin' }
  /** Turn a feature flag off or on (the runbook's alternative to a rollback): a code rollback's authority. */
  | { readonly kind: 'flag'; readonly flag: string; readonly state: 'on' | 'off' }
  /** Start, pause, resume, approve or abort a progressive rollout: the DevOps lead; on-call after hours. */
  | { readonly kind: 'release'; readonly what: string };

export interface ActRefusal {
  readonly allowed: false;
  readonly reason: string;
  readonly fix: string;
  readonly roleNeeded?: Role | readonly Role[];
  readonly refusal?: ApprovalRefusal;
  /** The approval request lapsed while still pending: record it as expired. */
  readonly lapsed?: boolean;
}

type ActDecision =
  | {
      readonly allowed: true;
      readonly as: Role | 'autopilot';
      /** The runbook's "after-hours: notify CTO asynchronously": the caller sends it once the incident exists. */
      readonly notifyCtoAsync: boolean;
      /** execute only: request_approval when the CTO must approve before the step runs. */
      readonly mode?: 'execute' | 'request_approval';
      /** approve only: what the verdict becomes. */
      readonly decision?: 'approved' | 'rejected';
    }
  | ActRefusal;

interface ActInput {
  readonly service: Pick<ServiceConfig, 'name' | 'workingHours' | 'autopilot'>;
  readonly roles: ResolvedRoles;
  readonly actor: SlackUserId;
  readonly act: GatedAct;
  readonly at: Date;
}

/** The decision matrix: what the actor may do now, or why not and what to do instead. */
export function decideAct(input: ActInput): ActDecision {
  const { service, roles, actor, act, at } = input;
  switch (act.kind) {
    case 'execute': {
      const { workingHours, autopilot } = service;
      const decision = decideAuthority({ action: act.rollback, actor, roles, at, workingHours, autopilot });
      if (!decision.allowed)
        return { allowed: false, reason: decision.reason, fix: decision.fix, roleNeeded: decision.roleNeeded };
      return { allowed: true, as: decision.as, notifyCtoAsync: decision.notifyCtoAsync, mode: decision.mode };
    }
    case 'approve': {
      const outcome = decideApproval({ request: act.request, approver: actor, verdict: act.verdict, roles, at });
      if (!outcome.allowed) {
        const { markExpired, ...refusal } = outcome;
        return { ...refusal, lapsed: markExpired };
      }
      return { allowed: true, as: outcome.as, notifyCtoAsync: false, decision: outcome.decision };
    }
    case 'unpin': {
      if (holds(roles, 'devopsLead', actor)) return { allowed: true, as: 'devopsLead', notifyCtoAsync: false };
      return {
        allowed: false,
        reason:
          `Only the DevOps lead of ${service.name} may unpin production (promote a ` +
          `deployment); nothing was changed.`,
        fix: 'Ask the DevOps lead, or promote the deployment in the Vercel dashboard if you have the right there.',
        roleNeeded: 'devopsLead',
      };
    }
    case 'release': {
      const decision = decideAuthority({ action: 'release', actor, roles, at, workingHours: service.workingHours });
      if (!decision.allowed) {
        return { allowed: false, reason: decision.reason, fix: decision.fix, roleNeeded: decision.roleNeeded };
      }
      return { allowed: true, as: decision.as, notifyCtoAsync: decision.notifyCtoAsync, mode: decision.mode };
    }
    case 'flag': {
      const what = `turn the feature flag ${act.flag} ${act.state}`;
      const decision = decideFlagAuthority({ actor, roles, at, workingHours: service.workingHours, what });
      if (!decision.allowed)
        return { allowed: false, reason: decision.reason, fix: decision.fix, roleNeeded: decision.roleNeeded };
      return { allowed: true, as: decision.as, notifyCtoAsync: decision.notifyCtoAsync, mode: decision.mode };
    }
    case 'decide': {
      const as = anyRoleOf(roles, actor);
      if (as) return { allowed: true, as, notifyCtoAsync: false };
      return {
        allowed: false,
        reason:
          `Only the DevOps lead, on-call engineer, DBA or CTO of ${service.name} may ` +
          `${act.what}; nothing was changed.`,
        fix: 'Ask one of them, or have yourself added to the roles in the services file.',
        roleNeeded: ROLES,
      };
    }
  }
}

const anyRoleOf = (roles: ResolvedRoles, user: SlackUserId): Role | undefined =>
  ROLES.find((role) => holds(roles, role, user));

/** Whether the user holds any role of the service: who may change its incidents, and who sees them on App Home. */
export const holdsAnyRole = (roles: ResolvedRoles, user: SlackUserId): boolean => anyRoleOf(roles, user) !== undefined;

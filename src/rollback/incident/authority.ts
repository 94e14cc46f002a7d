/**
 * The runbook's Rollback Authority and Decision Matrix as pure decisions.
 * Callers resolve Slack user groups to user ids first, so a role here is
 * just a list of user ids and nothing in this file talks to Slack.
 */
import { RollbackError } from '../errors';
import type { SlackUserId } from '../ids';
import type { ApprovedAction } from '../ports/approval';
import type { RollbackKind } from './plan';
import { isApprovalExpired } from './approval-expiry';
import { describeWindow, isWithinWindow } from './time-window';
import type { TimeWindow, Weekday } from './time-window';

export const ROLES = ['devopsLead', 'dba', 'cto', 'onCall'] as const;
export type Role = (typeof ROLES)[number];

/** Each role's members as user ids, with user groups already expanded. */
export type ResolvedRoles = Readonly<Record<Role, readonly SlackUserId[]>>;

export const ROLE_NAMES: Record<Role, string> = {
  devopsLead: 'DevOps lead',
  dba: 'database admin',
  cto: 'CTO',
  onCall: 'on-call engineer',
};

export interface WorkingHoursWindow extends TimeWindow {
  readonly days: readonly Weekday[];
}

/** The bot itself, rolling back on a MUST trigger of a service that enabled autopilot. */
export const AUTOPILOT_ACTOR = 'rollback-bot' as SlackUserId;

/** What the matrix decides on: a rollback of a kind, or a progressive rollout (started, paused, resumed, aborted). */
type AuthorityAction = RollbackKind | 'release';

interface AuthorityInput {
  readonly action: AuthorityAction;
  readonly actor: SlackUserId;
  readonly roles: ResolvedRoles;
  readonly at: Date;
  readonly workingHours: WorkingHoursWindow;
  /** The service's `autopilot` setting: only then may AUTOPILOT_ACTOR execute, and only an application rollback. */
  readonly autopilot?: boolean;
}

type AuthorityDecision =
  | {
      readonly allowed: true;
      readonly as: Role | 'autopilot';
      /** execute: go ahead now. request_approval: post the plan and wait for the CTO. */
      readonly mode: 'execute' | 'request_approval';
      readonly approval?: { readonly action: ApprovedAction; readonly role: 'cto' };
      /** The runbook's "notify CTO asynchronously" for an after-hours on-call rollback. */
      readonly notifyCtoAsync: boolean;
    }
  | {
      readonly allowed: false;
      /** Any one of these roles would have been enough. */
      readonly roleNeeded: readonly Role[];
      readonly reason: string;
      readonly fix: string;
    };

const APPROVED_ACTION: Record<'reset' | 'schema', ApprovedAction> = { reset: 'git-reset', schema: 'schema-rollback' };
const ACTION_NAMES: Record<AuthorityAction, string> = {
  release: 'a progressive rollout',
  application: 'an application rollback',
  revert: 'a git revert (Option A)',
  reset: 'a git reset (Option B)',
  schema: 'a schema rollback',
};

export function holds(roles: ResolvedRoles, role: Role, user: SlackUserId): boolean {
  return roles[role].includes(user);
}

function firstRoleHeld(roles: ResolvedRoles, user: SlackUserId, order: readonly Role[]): Role | undefined {
  return order.find((role) => holds(roles, role, user));
}

const names = (roles: readonly Role[]): string => roles.map((r) => ROLE_NAMES[r]).join(' or ');

/**
 * Autopilot: the runbook lets the DevOps lead execute a code rollback alone; a
 * service that turns autopilot on delegates exactly that to the bot for MUST
 * triggers. Never a git reset or schema rollback (those need the CTO). The
 * detection notifies the CTO itself, with an autopilot notice.
 */
function decideAutopilot(input: AuthorityInput): AuthorityDecision {
  if (input.action === 'application' && input.autopilot === true) {
    return { allowed: true, as: 'autopilot', mode: 'execute', notifyCtoAsync: false };
  }
  return {
    allowed: false,
    roleNeeded: ['devopsLead'],
    reason:
      input.action === 'application'
        ? 'Autopilot is off for this service, so the bot may not roll it back on its own.'
        : `The bot never executes ${ACTION_NAMES[input.action]} on its own; autopilot ` +
          `covers application rollbacks only.`,
    fix:
      input.action === 'application'
        ? 'Set autopilot: true for the service, or ask the DevOps lead to run the rollback.'
        : 'Ask the DevOps lead to run the command.',
  };
}

export function decideAuthority(input: AuthorityInput): AuthorityDecision {
  const { action, actor, roles, at, workingHours } = input;
  if (actor === AUTOPILOT_ACTOR) return decideAutopilot(input);
  const duringHours = isWithinWindow(workingHours, at);
  const hours = describeWindow(workingHours);

  if (action === 'reset' || action === 'schema') {
    const requesters: Role[] = ['devopsLead', 'dba', 'onCall'];
    const as = firstRoleHeld(roles, actor, requesters);
    if (as === undefined) {
      return {
        allowed: false,
        roleNeeded: requesters,
        reason: `Only the ${names(requesters)} may request ${ACTION_NAMES[action]}; you hold none of these roles.`,
        fix: 'Ask one of them to run the command; the CTO then approves it.',
      };
    }
    return {
      allowed: true,
      as,
      mode: 'request_approval',
      approval: { action: APPROVED_ACTION[action], role: 'cto' },
      notifyCtoAsync: false,
    };
  }

  if (holds(roles, 'devopsLead', actor)) {
    return { allowed: true, as: 'devopsLead', mode: 'execute', notifyCtoAsync: false };
  }
  if (!duringHours && holds(roles, 'onCall', actor)) {
    return { allowed: true, as: 'onCall', mode: 'execute', notifyCtoAsync: true };
  }
  if (holds(roles, 'onCall', actor)) {
    return {
      allowed: false,
      roleNeeded: ['devopsLead'],
      reason:
        `During working hours (${hours}) only the DevOps lead may execute ` +
        `${ACTION_NAMES[action]}; the on-call engineer may outside them.`,
      fix: 'Ask the DevOps lead to run the command.',
    };
  }
  const roleNeeded: Role[] = duringHours ? ['devopsLead'] : ['devopsLead', 'onCall'];
  return {
    allowed: false,
    roleNeeded,
    reason:
      `Only the ${names(roleNeeded)} may execute ` +
      `${ACTION_NAMES[action]}${duringHours ? ` during working hours (${hours})` : ' outside working hours'}.`,
    fix: `Ask the ${names(roleNeeded)} to run the command.`,
  };
}

/**
 * Turning a feature flag off (or back on) stops or restores a feature without a
 * rollback: the runbook's authority for a code rollback applies. The DevOps lead
 * may at any time; after hours the on-call engineer may, with the CTO notified
 * asynchronously. Never the bot on its own.
 */
export function decideFlagAuthority(
  input: Omit<AuthorityInput, 'action' | 'autopilot'> & { readonly what: string },
): AuthorityDecision {
  const { actor, roles, at, workingHours, what } = input;
  if (holds(roles, 'devopsLead', actor)) {
    return { allowed: true, as: 'devopsLead', mode: 'execute', notifyCtoAsync: false };
  }
  const duringHours = isWithinWindow(workingHours, at);
  if (!duringHours && holds(roles, 'onCall', actor)) {
    return { allowed: true, as: 'onCall', mode: 'execute', notifyCtoAsync: true };
  }
  const hours = describeWindow(workingHours);
  const roleNeeded: Role[] = duringHours ? ['devopsLead'] : ['devopsLead', 'onCall'];
  const onCall = holds(roles, 'onCall', actor);
  const when = duringHours ? `during working hours (${hours})` : 'outside working hours';
  return {
    allowed: false,
    roleNeeded,
    reason: onCall
      ? `During working hours (${hours}) only the DevOps lead may ${what}; the on-call engineer may outside them.`
      : `Only the ${names(roleNeeded)} may ${what} ${when}; nothing was changed.`,
    fix: `Ask the ${names(roleNeeded)} to run the command.`,
  };
}

export type ApprovalDecision = 'pending' | 'approved' | 'rejected' | 'expired';

/** An approval as the `approvals` table stores it. */
export interface ApprovalRequest {
  readonly action: ApprovedAction;
  readonly requestedBy: SlackUserId;
  readonly requestedAt: Date;
  readonly expiresAt: Date;
  readonly decision: ApprovalDecision;
}

interface ApprovalInput {
  readonly request: ApprovalRequest;
  readonly approver: SlackUserId;
  readonly verdict: 'approve' | 'reject';
  readonly roles: ResolvedRoles;
  readonly at: Date;
}

export type ApprovalRefusal = 'already_decided' | 'expired' | 'wrong_role' | 'self_approval';

type ApprovalOutcome =
  | { readonly allowed: true; readonly decision: 'approved' | 'rejected'; readonly as: 'cto' }
  | {
      readonly allowed: false;
      readonly refusal: ApprovalRefusal;
      readonly roleNeeded?: 'cto';
      readonly reason: string;
      readonly fix: string;
      /** The request lapsed and is still stored as pending: record it as expired. */
      readonly markExpired: boolean;
    };

export function decideApproval(input: ApprovalInput): ApprovalOutcome {
  const { request, approver, verdict, roles, at } = input;
  if (request.decision !== 'pending' && request.decision !== 'expired') {
    return {
      allowed: false,
      refusal: 'already_decided',
      reason: `This request was already ${request.decision}.`,
      fix: 'Nothing to do here; the incident thread shows what happened.',
      markExpired: false,
    };
  }
  if (isApprovalExpired(request, at)) {
    return {
      allowed: false,
      refusal: 'expired',
      reason: `This approval request expired at ${request.expiresAt.toISOString()}.`,
      fix: 'Run the rollback command again to ask for a fresh approval.',
      markExpired: request.decision === 'pending',
    };
  }
  if (!holds(roles, 'cto', approver)) {
    return {
      allowed: false,
      refusal: 'wrong_role',
      roleNeeded: 'cto',
      reason:
        `Only the CTO may ${verdict} ` +
        `${request.action === 'git-reset' ? 'a git reset (Option B)' : 'a schema rollback'}.`,
      fix: 'Ask the CTO to decide on this request.',
      markExpired: false,
    };
  }
  if (verdict === 'approve' && approver === request.requestedBy) {
    return {
      allowed: false,
      refusal: 'self_approval',
      roleNeeded: 'cto',
      reason: 'You requested this rollback, so you cannot approve it yourself.',
      fix: 'Another CTO must approve it.',
      markExpired: false,
    };
  }
  return { allowed: true, decision: verdict === 'approve' ? 'approved' : 'rejected', as: 'cto' };
}

/** A refusal as the typed error the Slack layer renders ephemerally. */
export function refusalError(refusal: {
  reason: string;
  fix: string;
  roleNeeded?: Role | readonly Role[];
  refusal?: ApprovalRefusal;
}): RollbackError {
  const timing = refusal.refusal === 'expired' || refusal.refusal === 'already_decided';
  return new RollbackError(timing ? 'conflict' : 'forbidden', refusal.reason, {
    fix: refusal.fix,
    details: { roleNeeded: refusal.roleNeeded, refusal: refusal.refusal },
  });
}

/**
 * The approval expiry, the one rule every surface asks: a CTO approval request
 * is open until its deadline (the service's approvals.expireAfterMinutes after
 * it was requested, 30 by default) and lapses at that instant. The engine's
 * sweep, the approval buttons, the Slack views, the store's query of lapsed
 * requests and the workers that act on an approval all decide with
 * `lapsedAt`, so "expired" means one thing everywhere.
 */
import type { ApprovalDecision } from './authority';

export const DEFAULT_APPROVAL_MINUTES = 30;

export function approvalExpiresAt(requestedAt: Date, expireAfterMinutes: number = DEFAULT_APPROVAL_MINUTES): Date {
  return new Date(requestedAt.getTime() + expireAfterMinutes * 60_000);
}

/** The rule itself: at (or after) its deadline a request can no longer be decided. */
export function lapsedAt(expiresAt: Date, at: Date): boolean {
  return at.getTime() >= expiresAt.getTime();
}

/**
 * The newest deadline a request lapsed by `at` can have: the store's query of
 * lapsed pending requests selects `expires_at <= expiryCutoff(at)`.
 */
export function expiryCutoff(at: Date): Date {
  return at;
}

/** Expired: recorded so, or still pending past its deadline (the sweep has not recorded it yet). */
export function isApprovalExpired(
  request: { readonly expiresAt: Date; readonly decision: ApprovalDecision },
  at: Date,
): boolean {
  return request.decision === 'expired' || (request.decision === 'pending' && lapsedAt(request.expiresAt, at));
}

/**
 * Expiry limits the time to decide, not the time to act: an approval given
 * before its request expired holds however long the work then waits (a
 * restart past the deadline); the executors re-check that the plan is current.
 * Returns why an approval does not hold, or undefined when it does.
 */
export function lateApproval(approval: { readonly approvedAt: Date; readonly expiresAt: Date }): string | undefined {
  if (!lapsedAt(approval.expiresAt, approval.approvedAt)) return undefined;
  return (
    `was given at ${approval.approvedAt.toISOString()}, after its request expired at ` +
    `${approval.expiresAt.toISOString()}`
  );
}

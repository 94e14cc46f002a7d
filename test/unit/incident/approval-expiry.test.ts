import {
  DEFAULT_APPROVAL_MINUTES,
  approvalExpiresAt,
  expiryCutoff,
  isApprovalExpired,
  lapsedAt,
  lateApproval,
} from '../../../src/rollback/incident/approval-expiry';
import type { ApprovalDecision } from '../../../src/rollback/incident/authority';

// The one test of the approval expiry rule; the adapters' and the buttons' tests only check that they ask it.
describe('the approval expiry', () => {
  const requestedAt = new Date('2026-01-16T15:00:00Z');
  const expiresAt = approvalExpiresAt(requestedAt);
  const pending = { expiresAt, decision: 'pending' as ApprovalDecision };

  it('computes the deadline from the configured minutes, 30 by default', () => {
    expect(DEFAULT_APPROVAL_MINUTES).toBe(30);
    expect(expiresAt.toISOString()).toBe('2026-01-16T15:30:00.000Z');
    expect(approvalExpiresAt(requestedAt, 5).toISOString()).toBe('2026-01-16T15:05:00.000Z');
  });

  it('lapses at the deadline itself, not a millisecond before', () => {
    expect(lapsedAt(expiresAt, new Date('2026-01-16T15:29:59.999Z'))).toBe(false);
    expect(lapsedAt(expiresAt, expiresAt)).toBe(true);
    // The store selects lapsed requests with expires_at <= the cutoff: the deadline instant is included.
    expect(expiryCutoff(expiresAt).getTime()).toBe(expiresAt.getTime());
  });

  it('calls a request expired once recorded so, or while still pending past its deadline; never once decided', () => {
    expect(isApprovalExpired(pending, new Date('2026-01-16T15:29:59Z'))).toBe(false);
    expect(isApprovalExpired(pending, new Date('2026-01-16T15:30:00Z'))).toBe(true);
    expect(isApprovalExpired({ ...pending, decision: 'expired' }, requestedAt)).toBe(true);
    expect(isApprovalExpired({ ...pending, decision: 'approved' }, new Date('2026-01-17T00:00:00Z'))).toBe(false);
  });

  it(
    'holds an approval given before the deadline however late the work runs, and ' + 'refuses one given at or after it',
    () => {
      expect(lateApproval({ approvedAt: new Date('2026-01-16T15:29:59.999Z'), expiresAt })).toBeUndefined();
      expect(lateApproval({ approvedAt: expiresAt, expiresAt })).toBe(
        'was given at 2026-01-16T15:30:00.000Z, after its request expired at 2026-01-16T15:30:00.000Z',
      );
      expect(lateApproval({ approvedAt: new Date('2026-01-16T15:31:00Z'), expiresAt })).toMatch(
        /^was given at 2026-01-16T15:31:00.000Z, after/,
      );
    },
  );
});

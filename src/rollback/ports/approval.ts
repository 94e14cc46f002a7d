/**
 * A recorded approval, as the incident engine hands it to a worker that must
 * not act without one (git Option B, schema rollback). The worker checks that
 * it is for its own action and incident; who may approve and for how long is
 * the authority module's business, decided before the worker is called.
 */
import type { SlackUserId } from '../ids';

export type ApprovedAction = 'git-reset' | 'schema-rollback';

export interface RecordedApproval {
  readonly approvalId: string;
  readonly incidentId: string;
  readonly action: ApprovedAction;
  readonly approvedBy: SlackUserId;
  readonly role: 'cto';
  readonly approvedAt: Date;
  readonly expiresAt: Date;
}

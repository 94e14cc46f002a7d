/** The CTO approvals the runbook asks for before git Option B or a schema rollback. */
import { expiryCutoff } from '../../rollback/incident/approval-expiry';
import type { ApprovedAction } from '../../rollback/ports/approval';
import type { ApprovalRecord } from '../../rollback/ports/incident-store';
import type { Query } from '../pool';

const COLUMNS =
  `id, incident_id, step_id, action, requested_by, requested_at, expires_at, ` +
  `decision, decided_by, decided_at, message_ts`;

type NewApproval = Omit<ApprovalRecord, 'decision' | 'decidedBy' | 'decidedAt'>;

export interface ApprovalRow {
  id: string;
  incident_id: string;
  step_id: string | null;
  action: ApprovedAction;
  requested_by: string;
  requested_at: Date;
  expires_at: Date;
  decision: ApprovalRecord['decision'];
  decided_by: string | null;
  decided_at: Date | null;
  message_ts: string | null;
}

export function toApproval(row: ApprovalRow): ApprovalRecord {
  return {
    id: row.id,
    incidentId: row.incident_id,
    // The column is nullable for hand-made rows; every approval the engine makes names its step.
    stepId: row.step_id ?? '',
    action: row.action,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    expiresAt: row.expires_at,
    decision: row.decision,
    decidedBy: row.decided_by ?? undefined,
    decidedAt: row.decided_at ?? undefined,
    messageTs: row.message_ts ?? undefined,
  };
}

/** No row when the id exists already (a retried request): the caller reads the stored one. */
export const insertApproval = (approval: NewApproval): Query => ({
  text: `INSERT INTO approvals (id, incident_id, step_id, action, requested_by, requested_at, expires_at, message_ts)
         VALUES ($1, $2, $3::bigint, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO NOTHING
         RETURNING ${COLUMNS}`,
  values: [
    approval.id,
    approval.incidentId,
    approval.stepId,
    approval.action,
    approval.requestedBy,
    approval.requestedAt,
    approval.expiresAt,
    approval.messageTs ?? null,
  ],
});

export const selectApproval = (id: string): Query => ({
  text: `SELECT ${COLUMNS} FROM approvals WHERE id = $1`,
  values: [id],
});

export const selectApprovalsFor = (incidentId: string): Query => ({
  text: `SELECT ${COLUMNS} FROM approvals WHERE incident_id = $1 ORDER BY requested_at, id`,
  values: [incidentId],
});

/** Compare-and-set from pending: a double click or a second replica finds no row. */
export const decideApproval = (
  id: string,
  decision: 'approved' | 'rejected' | 'expired',
  by: string | undefined,
  at: Date,
): Query => ({
  text: `UPDATE approvals SET decision = $2::approval_decision, decided_by = $3, decided_at = $4
         WHERE id = $1 AND decision = 'pending'
         RETURNING ${COLUMNS}`,
  values: [id, decision, by ?? null, at],
});

export const setApprovalMessage = (id: string, messageTs: string): Query => ({
  text: 'UPDATE approvals SET message_ts = $2 WHERE id = $1 RETURNING id',
  values: [id, messageTs],
});

export const selectExpiredApprovals = (at: Date): Query => ({
  text: `SELECT ${COLUMNS} FROM approvals WHERE decision = 'pending' AND expires_at <= $1 ORDER BY expires_at, id`,
  values: [expiryCutoff(at)],
});

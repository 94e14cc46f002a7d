/** The CTO's approvals in memory: created once per id (a retry gets the stored one), decided once from pending. */
import { RollbackError } from '../../../src/rollback/errors';
import type { ApprovalRecord } from '../../../src/rollback/ports/incident-store';
import type { ApprovalRecords } from '../../../src/rollback/ports/store-roles';
import { unknownIncident } from '../../../src/store/store-errors';
import { type MemoryTables, conflict, copy } from './tables';

const byTime = (a: Date, b: Date, x: string, y: string): number =>
  a.getTime() - b.getTime() || (x < y ? -1 : x > y ? 1 : 0);

export function memoryApprovals(tables: MemoryTables): ApprovalRecords {
  const stored = (id: string): ApprovalRecord | undefined => tables.approvals.get(id);
  return {
    async createApproval(approval) {
      if (!/^[1-9][0-9]{0,18}$/.test(approval.stepId)) {
        throw new RollbackError(
          'bad_input',
          `"${approval.stepId}" is not a step id; an approval must name the step it unlocks.`,
        );
      }
      const before = stored(approval.id);
      if (before) {
        // The same request again (a retry, a second replica): hand back what is stored.
        if (
          before.incidentId === approval.incidentId &&
          before.stepId === approval.stepId &&
          before.action === approval.action
        )
          return copy(before);
        throw conflict(
          `The approval id ${approval.id} is already used for another step or action.`,
          'Approval ids must be unique per incident step.',
        );
      }
      // The foreign keys: the incident and the step must exist.
      if (!tables.incidents.has(approval.incidentId) || !tables.steps.has(approval.stepId))
        throw unknownIncident(approval.incidentId);
      const record: ApprovalRecord = {
        ...approval,
        decision: 'pending',
        decidedBy: undefined,
        decidedAt: undefined,
        messageTs: approval.messageTs,
      };
      tables.approvals.set(record.id, record);
      return copy(record);
    },

    async getApproval(id) {
      const approval = stored(id);
      return approval ? copy(approval) : undefined;
    },

    async approvalsFor(incidentId) {
      return [...tables.approvals.values()]
        .filter((a) => a.incidentId === incidentId)
        .sort((a, b) => byTime(a.requestedAt, b.requestedAt, a.id, b.id))
        .map(copy);
    },

    async decideApproval(id, decision, by, at) {
      const approval = stored(id);
      if (approval?.decision !== 'pending') return undefined;
      const decided: ApprovalRecord = { ...approval, decision, decidedBy: by, decidedAt: at };
      tables.approvals.set(id, decided);
      return copy(decided);
    },

    async setApprovalMessage(id, messageTs) {
      const approval = stored(id);
      if (!approval) {
        throw new RollbackError('not_found', `Approval ${id} does not exist.`, {
          fix: 'Check the approval id the message was posted for.',
        });
      }
      tables.approvals.set(id, { ...approval, messageTs });
    },

    async expiredApprovals(at) {
      return [...tables.approvals.values()]
        .filter((a) => a.decision === 'pending' && a.expiresAt <= at)
        .sort((a, b) => byTime(a.expiresAt, b.expiresAt, a.id, b.id))
        .map(copy);
    },
  };
}

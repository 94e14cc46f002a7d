/**
 * The store's approvals part: the approvals a step waits for, their decisions
 * and their Slack messages, and the ones past their expiry. Spread into the incident store.
 */
import { RollbackError } from '../rollback/errors';
import type { IncidentStore } from '../rollback/ports/incident-store';
import type { Db } from './pool';
import * as approvals from './queries/approvals';
import * as steps from './queries/steps';
import { FOREIGN_KEY_VIOLATION, pgFault, unknownIncident } from './store-errors';

type ApprovalMethods = Pick<
  IncidentStore,
  'createApproval' | 'getApproval' | 'approvalsFor' | 'decideApproval' | 'setApprovalMessage' | 'expiredApprovals'
>;

export function approvalMethods(db: Db): ApprovalMethods {
  const getApproval = async (id: string) => {
    const [row] = await db.query<approvals.ApprovalRow>(approvals.selectApproval(id));
    return row ? approvals.toApproval(row) : undefined;
  };

  return {
    async createApproval(approval) {
      if (!steps.isStepId(approval.stepId)) {
        throw new RollbackError(
          'bad_input',
          `"${approval.stepId}" is not a step id; an approval must name the step it unlocks.`,
        );
      }
      const [row] = await db
        .query<approvals.ApprovalRow>(approvals.insertApproval(approval))
        .catch((error: unknown) => {
          throw pgFault(error).code === FOREIGN_KEY_VIOLATION ? unknownIncident(approval.incidentId, error) : error;
        });
      if (row) return approvals.toApproval(row);
      // The same request again (a retry, a second replica): hand back what is stored.
      const stored = await getApproval(approval.id);
      if (
        stored &&
        stored.incidentId === approval.incidentId &&
        stored.stepId === approval.stepId &&
        stored.action === approval.action
      ) {
        return stored;
      }
      throw new RollbackError(
        'conflict',
        `The approval id ${approval.id} is already used for another step or action.`,
        {
          fix: 'Approval ids must be unique per incident step.',
        },
      );
    },

    getApproval,

    async approvalsFor(incidentId) {
      return (await db.query<approvals.ApprovalRow>(approvals.selectApprovalsFor(incidentId))).map(
        approvals.toApproval,
      );
    },

    async decideApproval(id, decision, by, at) {
      const [row] = await db.query<approvals.ApprovalRow>(approvals.decideApproval(id, decision, by, at));
      return row ? approvals.toApproval(row) : undefined;
    },

    async setApprovalMessage(id, messageTs) {
      const rows = await db.query(approvals.setApprovalMessage(id, messageTs));
      if (rows.length === 0) {
        throw new RollbackError('not_found', `Approval ${id} does not exist.`, {
          fix: 'Check the approval id the message was posted for.',
        });
      }
    },

    async expiredApprovals(at) {
      return (await db.query<approvals.ApprovalRow>(approvals.selectExpiredApprovals(at))).map(approvals.toApproval);
    },
  };
}

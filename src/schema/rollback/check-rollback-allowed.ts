/**
 * What must hold before a schema rollback touches the database: the CTO's
 * approval recorded for this incident, unexpired, and a plan proven on the
 * shadow database that carries the catalog to verify the result against.
 */
import { lateApproval } from '../../rollback/incident/approval-expiry';
import { RollbackError } from '../../rollback/errors';
import type { RecordedApproval } from '../../rollback/ports/approval';
import type { SchemaRollbackPlan } from '../../rollback/ports/schema';

/** The approval, when it is a CTO's, for a schema rollback of this incident, and not expired. */
export function checkApproval(approval: RecordedApproval | undefined, incidentId: string): RecordedApproval {
  const fix =
    "A schema rollback needs the CTO's approval recorded on this incident; ask for it in the incident thread.";
  if (!approval)
    throw new RollbackError('approval_required', 'Refusing the schema rollback: no recorded CTO approval.', { fix });
  if (approval.action !== 'schema-rollback') {
    throw new RollbackError(
      'approval_required',
      `Refusing the schema rollback: the approval ${approval.approvalId} is for ` +
        `${approval.action}, not schema-rollback.`,
      { fix },
    );
  }
  if (approval.incidentId !== incidentId) {
    throw new RollbackError(
      'approval_required',
      `Refusing the schema rollback: the approval ${approval.approvalId} belongs to ` +
        `incident ${approval.incidentId}, not ${incidentId}.`,
      { fix },
    );
  }
  if (approval.role !== 'cto')
    throw new RollbackError('approval_required', 'Refusing the schema rollback: the approval is not from a CTO.', {
      fix,
    });
  const late = lateApproval(approval);
  if (late) {
    throw new RollbackError(
      'approval_required',
      `Refusing the schema rollback: the approval ${approval.approvalId} ${late}.`,
      { fix },
    );
  }
  return approval;
}

/** A plan is run only when the shadow check with data passed and it carries the catalog to check itself against. */
export function refuseUnproven(plan: SchemaRollbackPlan): void {
  const fix =
    'Nothing was changed. Plan again; if it still is not proven, undo the migration by hand or with a forward fix.';
  if (!plan.verifiedOnShadow || plan.verifiedWithData === false) {
    throw new RollbackError(
      'conflict',
      `Refusing the schema rollback of ${plan.migrationName}: its plan was not proven ` +
        `on the shadow database (${plan.shadowDifferences.join('; ') || 'no verdict'}).`,
      { fix },
    );
  }
  if (!plan.expectedCatalog) {
    throw new RollbackError(
      'conflict',
      `Refusing the schema rollback of ${plan.migrationName}: the plan carries no ` +
        `expected catalog to verify the result against (made by an older version).`,
      { fix },
    );
  }
  if (plan.steps.length === 0 && plan.irreversible.length > 0) {
    throw new RollbackError(
      'conflict',
      `Refusing the schema rollback of ${plan.migrationName}: the inverse undoes ` +
        `nothing while the migration changed something.`,
      { fix },
    );
  }
}

/**
 * The runbook's Option B: reset the deploy branch to the last known good
 * commit and push with --force-with-lease. It rewrites history, so it runs
 * only with a recorded, unexpired CTO approval for the same incident.
 */
import { lateApproval } from '../rollback/incident/approval-expiry';
import { RollbackError } from '../rollback/errors';
import type { CommitSha } from '../rollback/ids';
import type { ResetInput, ResetResult } from '../rollback/ports/code';
import type { WorkingClone } from './working-clone';

/** Checks the approval, then resets `clone`'s deploy branch to input.target (incidentId already checked). */
export async function resetWithApproval(
  clone: WorkingClone,
  input: ResetInput,
  incidentId: string,
): Promise<ResetResult> {
  const { approval } = input;
  const recommend =
    'The runbook recommends Option A (git revert), which keeps history: use it, or ' +
    'get the CTO’s approval for the reset recorded in the incident thread.';
  if (!approval) {
    throw new RollbackError(
      'approval_required',
      `Resetting ${clone.branch} of ${clone.service.name} rewrites history and needs a ` +
        `recorded CTO approval; none was given.`,
      { fix: recommend },
    );
  }
  if (approval.action !== 'git-reset' || approval.incidentId !== incidentId) {
    throw new RollbackError(
      'approval_required',
      `The approval ${approval.approvalId} is for ${approval.action} of incident ` +
        `${approval.incidentId}, not for a git reset of incident ${incidentId}.`,
      { fix: recommend },
    );
  }
  const late = lateApproval(approval);
  if (late) {
    throw new RollbackError(
      'approval_required',
      `The approval ${approval.approvalId} for the git reset of incident ${incidentId} ${late}.`,
      { fix: recommend },
    );
  }
  return clone.exclusive(async () => {
    const head = await clone.sync();
    const target = await clone.resolveAncestor(input.target, head);
    if (target.sha === head) {
      return {
        commit: head,
        head,
        previousHead: head,
        workTree: clone.dir,
        status: 'already-done' as const,
        discarded: [],
      };
    }
    const discarded = (await clone.run(['rev-list', head, `^${target.sha}`, '--'], 'rev-list'))
      .split('\n')
      .filter(Boolean) as CommitSha[];
    await clone.resetTo(target.sha);
    // The lease names the head we just fetched: if anyone pushed since, their work is not thrown away.
    await clone.push(head);
    clone.logger.warn(
      {
        incidentId,
        commit: target.sha,
        previousHead: head,
        discarded: discarded.length,
        approvalId: approval.approvalId,
        approvedBy: approval.approvedBy,
      },
      'git reset pushed (history rewritten)',
    );
    return {
      commit: target.sha,
      head: target.sha,
      previousHead: head,
      workTree: clone.dir,
      status: 'done' as const,
      discarded,
    };
  });
}

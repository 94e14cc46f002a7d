/**
 * The CTO's approval of a schema rollback or git Option B: the estimate is
 * prepared first (it is what the CTO approves), then Approve / Reject from
 * Slack, checked by the authority rules; expiry is swept by the runner.
 */
import { findService } from '../services';
import { RollbackError } from '../errors';
import type { MigrationName, ServiceName, SlackUserId } from '../ids';
import type { ApprovalRecord, IncidentRecord } from '../ports/incident-store';
import { authorize } from './gate';
import type { IncidentEngineDeps } from './engine-deps';
import { appDatabaseUrl, stepError } from './step-context';
import { isIncidentOpen } from './incident-state';
import { afterStepChange } from './run-steps';
import { transitionStep } from './step-state';

interface ApprovalAnswer {
  approval: ApprovalRecord;
  /** Ephemeral text for the person who clicked. */
  message: string;
}

async function expire(deps: IncidentEngineDeps, approval: ApprovalRecord): Promise<void> {
  const stored = await deps.store.decideApproval(approval.id, 'expired', undefined, deps.clock.now());
  if (!stored) return;
  const step = await deps.store.getStep(approval.stepId);
  if (step?.state === 'awaiting_approval')
    await deps.store.moveStep(step.id, step.state, transitionStep(step.state, 'expire', step.kind), {
      finishedAt: deps.clock.now(),
    });
  await deps.store.appendTimeline({
    incidentId: approval.incidentId,
    actor: 'rollback-bot',
    kind: 'approval_expired',
    message: `The approval request ${approval.id} expired at ${approval.expiresAt.toISOString()} without a decision.`,
  });
  await afterStepChange(deps, approval.incidentId);
}

export async function expireApprovals(deps: IncidentEngineDeps): Promise<number> {
  const due = await deps.store.expiredApprovals(deps.clock.now());
  for (const approval of due) await expire(deps, approval);
  return due.length;
}

export async function answerApproval(
  deps: IncidentEngineDeps,
  input: { approvalId: string; actor: SlackUserId; verdict: 'approve' | 'reject' },
): Promise<ApprovalAnswer> {
  const approval = await deps.store.getApproval(input.approvalId);
  if (!approval)
    throw new RollbackError('not_found', `There is no approval request ${input.approvalId.slice(0, 80)}.`, {
      fix: 'Use the buttons of a current incident.',
    });
  const incident = await deps.store.getIncident(approval.incidentId);
  const record = async (kind: string, message: string): Promise<void> =>
    deps.store.appendTimeline({
      incidentId: approval.incidentId,
      actor: input.actor,
      kind,
      message,
      data: { approvalId: approval.id, verdict: input.verdict },
    });
  if (!incident || !isIncidentOpen(incident.state)) {
    // An expiry is what closed the incident: say so, since the clicker may not know the request lapsed.
    const lapsed =
      approval.decision === 'expired'
        ? `This approval request expired at ${approval.expiresAt.toISOString()} without a decision, so `
        : '';
    await record(
      'approval_refused',
      `${input.verdict} refused: ${lapsed ? 'the approval expired and ' : ''}the ` +
        `incident is ${incident?.state ?? 'gone'}.`,
    );
    throw new RollbackError(
      'conflict',
      `${lapsed}${lapsed ? 'incident' : 'Incident'} ${approval.incidentId} is ` +
        `${incident?.state ?? 'closed'}; its buttons no longer do anything.`,
      {
        fix: 'Start a new request with /rollback if a rollback is still needed.',
      },
    );
  }
  const service = findService(deps.services, incident.service);
  const step = await deps.store.getStep(approval.stepId);
  if (input.verdict === 'approve' && step?.kind === 'schema' && !step.input.plan) {
    await record('approval_refused', 'Approve refused: the data-loss estimate is not ready.');
    throw new RollbackError('conflict', 'The data-loss estimate is not ready yet, so there is nothing to approve.', {
      fix: 'Wait for the estimate in the thread, then approve.',
    });
  }
  const outcome = await authorize(deps, {
    service: service.name,
    actor: input.actor,
    act: {
      kind: 'approve',
      request: { ...approval, requestedBy: approval.requestedBy as SlackUserId },
      verdict: input.verdict,
    },
    incidentId: approval.incidentId,
    onLapsed: () => expire(deps, approval),
  });
  const verdict = outcome.decision ?? 'rejected';
  const decided = await deps.store.decideApproval(approval.id, verdict, input.actor, deps.clock.now());
  if (!decided) {
    const now = await deps.store.getApproval(approval.id);
    return {
      approval: now ?? approval,
      message:
        `Already ` +
        `${now?.decision ?? 'decided'}${now?.decidedBy ? ` by <@${now.decidedBy}>` : ''}; ` +
        `nothing changed.`,
    };
  }
  if (step?.state === 'awaiting_approval') {
    await deps.store.moveStep(
      step.id,
      step.state,
      transitionStep(step.state, input.verdict === 'approve' ? 'approve' : 'reject', step.kind),
    );
  }
  await record(`approval_${verdict}`, `<@${input.actor}> (CTO) ${verdict} ${approval.action}.`);
  await afterStepChange(deps, approval.incidentId);
  deps.wake();
  return { approval: decided, message: `You ${verdict} ${approval.action} for ${incident.id}.` };
}

/**
 * Builds the schema rollback plan and its data-loss estimate on the live
 * database for approvals still waiting for one. A plan that cannot be made
 * (migration not applied, unreadable folder...) cancels the step with the reason.
 */
export async function prepareSchemaPlans(deps: IncidentEngineDeps, open: readonly IncidentRecord[]): Promise<number> {
  let prepared = 0;
  for (const incident of open) {
    for (const step of await deps.store.steps(incident.id)) {
      if (step.kind !== 'schema' || step.state !== 'awaiting_approval' || step.input.plan || step.input.planError)
        continue;
      const service = findService(deps.services, incident.service);
      const done = await deps.store.withServiceLock(service.name, async () => {
        const fresh = await deps.store.getStep(step.id);
        if (!fresh || fresh.input.plan || fresh.input.planError) return;
        try {
          const production = await deps.application.describeProduction(service);
          const commit = production.current.commitSha ?? (await deps.code.branchHead(service.name as ServiceName));
          const folder = await deps.code.exportMigrations(service.name as ServiceName, commit);
          try {
            const plan = await deps.schema.planRollback({
              databaseUrl: appDatabaseUrl({ deps, service }),
              migrationsDir: folder.dir,
              migrationName: String(step.input.target) as MigrationName,
              elsewhere: folder.elsewhere,
            });
            // An unproven plan is never offered for approval: the step is cancelled with the shadow verdict.
            if (!plan.verifiedOnShadow || plan.verifiedWithData === false || plan.blockers.length > 0) {
              throw new RollbackError(
                'conflict',
                `The schema rollback plan for ${String(step.input.target)} is not proven: ` +
                  `${[...plan.blockers, ...plan.shadowDifferences].join('; ')}`,
                {
                  fix: 'Undo the migration by hand or with a forward-fix migration; nothing was changed.',
                },
              );
            }
            await deps.store.moveStep(step.id, 'awaiting_approval', 'awaiting_approval', {
              input: { ...fresh.input, plan, deployedCommit: commit },
            });
            await deps.store.appendTimeline({
              incidentId: incident.id,
              actor: deps.workerId,
              kind: 'schema_plan',
              message:
                `Data-loss estimate ready: ${plan.dataLoss.length} table(s)/column(s) would be ` +
                `archived and dropped.`,
              data: { dataLoss: [...plan.dataLoss], blockers: [...plan.blockers] },
            });
          } finally {
            await folder.cleanup();
          }
        } catch (error) {
          const failure = stepError(error);
          await deps.store.moveStep(
            step.id,
            'awaiting_approval',
            transitionStep('awaiting_approval', 'cancel', 'schema'),
            { input: { ...fresh.input, planError: failure }, error: failure, finishedAt: deps.clock.now() },
          );
          await deps.store.appendTimeline({
            incidentId: incident.id,
            actor: deps.workerId,
            kind: 'schema_plan_failed',
            message: `No schema rollback: ${failure.message}`,
            data: { error: failure },
          });
        }
      });
      if (done.ran) {
        prepared += 1;
        await afterStepChange(deps, incident.id);
      }
    }
  }
  return prepared;
}

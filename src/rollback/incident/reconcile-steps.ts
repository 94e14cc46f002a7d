/**
 * Steps found running after a crash: each is taken over once its lease has
 * expired, and the outside world (the migrations table, Vercel's alias
 * request) is read to learn what happened before anything runs again.
 */
import type { StepRecord } from '../ports/incident-store';
import { type StepContext, appDatabaseUrl, stepError } from './step-context';
import type { IncidentEngineDeps } from './engine-deps';
import { afterStepChange, contextFor, finishStep } from './run-steps';
import type { StepEvent } from './step-state';
import { holdLease, leaseMsOf } from './step-lease';

/**
 * A step is running for as long as its worker renews its lease. A running step
 * whose lease expired was cut off mid-way (a crash, a lost database, a park on
 * SIGTERM): take it over under a new fencing token, then read the outside world
 * to learn what happened before doing anything again. A dropped lock connection
 * alone proves nothing: its worker may still be committing the step.
 */
export async function reconcileRunningSteps(deps: IncidentEngineDeps): Promise<number> {
  let reconciled = 0;
  for (const step of await deps.store.runningSteps()) {
    const ctx = await contextFor(deps, step);
    if (!ctx) continue;
    const outcome = await deps.store.withServiceLock(ctx.service.name, async () => {
      // Take the step over only if its lease is still expired: its worker may have renewed it since the list was read.
      const mine = await deps.store.moveStep(step.id, 'running', 'running', {
        leaseMs: leaseMsOf(deps),
        onlyIfLeaseExpired: true,
        claimedBy: deps.workerId,
      });
      if (!mine) return false;
      const lease = holdLease(deps, mine);
      try {
        await reconcileOne(deps, { ...ctx, step: mine, lease });
      } finally {
        lease.stop();
      }
      return true;
    });
    if (outcome.ran && outcome.value) {
      reconciled += 1;
      await afterStepChange(deps, step.incidentId);
    }
  }
  return reconciled;
}

interface Finding {
  /** What the outside world said, for the timeline. */
  said: string;
  data?: Record<string, unknown>;
  event: StepEvent;
  output: Record<string, unknown>;
  error?: StepRecord['error'];
}

/** Only reads the outside world: a failure here, and only here, means it could not be read. */
async function readOutsideWorld(deps: IncidentEngineDeps, ctx: StepContext): Promise<Finding> {
  const { step } = ctx;
  if (step.kind === 'schema') {
    const plan = step.input.plan as { migrationName: string } | undefined;
    const found = plan ? await deps.schema.reconcile(appDatabaseUrl(ctx), plan.migrationName as never) : undefined;
    if (found?.state === 'rolled-back') {
      const archivedTables = [...found.archivedTables];
      return {
        said: '_prisma_migrations says it was rolled back',
        data: { archivedTables },
        event: 'reconcile_to_succeeded',
        output: { migration: found.migrationName, archivedTables, reconciled: true },
      };
    }
    return {
      said: '_prisma_migrations says nothing changed; it will run again with the same approval',
      event: 'reconcile_to_not_started',
      output: {},
    };
  }
  if (step.kind === 'application' && typeof step.input.targetId === 'string' && step.startedAt) {
    const seen = await deps.application.reconcile({
      incidentId: step.incidentId as never,
      service: ctx.service,
      targetId: step.input.targetId as never,
      requestedAt: step.startedAt,
    });
    const said = `Vercel's last alias request says ${seen.status}`;
    if (seen.status === 'succeeded' || seen.status === 'already-live') {
      return {
        said,
        data: { status: seen.status },
        event: 'reconcile_to_succeeded',
        output: {
          ...step.input,
          method: seen.method,
          status: seen.status,
          explanation: seen.explanation,
          reconciled: true,
        },
      };
    }
    if (seen.status === 'failed' || seen.status === 'skipped') {
      return {
        said,
        data: { status: seen.status },
        event: 'reconcile_to_failed',
        output: { status: seen.status, failedAliases: [...seen.failedAliases] },
        error: { code: 'external', message: `Vercel's job ${seen.status}.` },
      };
    }
    return { said, data: { status: seen.status }, event: 'reconcile_to_not_started', output: {} };
  }
  // Reverts, resets and deploys recognise their own earlier work (trailers, branch head,
  // the build of the pushed commit); verification only reads. Running them again is safe.
  return {
    said: 'its worker recognises work already done, so it runs again',
    event: 'reconcile_to_not_started',
    output: {},
  };
}

/**
 * Reads the outside world, then records what it said. A store that refuses the
 * record is not "the outside world could not be read": its error goes up to the
 * runner, and the step is reconciled again once this worker's lease expires.
 */
async function reconcileOne(deps: IncidentEngineDeps, ctx: StepContext & { lease: { token: string } }): Promise<void> {
  const { step } = ctx;
  let finding: Finding;
  try {
    finding = await readOutsideWorld(deps, ctx);
  } catch (error) {
    finding = {
      said: 'the outside world could not be read',
      data: { error: stepError(error) },
      event: 'lose_track',
      output: {},
      error: stepError(error),
    };
  }
  await deps.store.appendTimeline({
    incidentId: step.incidentId,
    actor: deps.workerId,
    kind: 'reconcile',
    message: `Step ${step.position} (${step.kind}) found running after a restart: ${finding.said}`,
    data: finding.data ?? {},
  });
  await finishStep(deps, step, ctx.lease.token, finding.event, finding.output, finding.error);
}

/**
 * The lease a worker holds on a running step: a heartbeat renews its expiry
 * in the step row while the work goes on, and `check()` stops the worker
 * before any side effect once the lease may have passed to someone else (the
 * row refused a renewal, or renewals failed until the expiry went by). A
 * session advisory lock is no such proof: its connection can die while the
 * worker lives on.
 */
import { RollbackError } from '../errors';
import type { StepRecord } from '../ports/incident-store';
import type { StepRecords } from '../ports/store-roles';
import type { IncidentEngineDeps } from './engine-deps';

const DEFAULT_STEP_LEASE_MS = 15_000;

export interface HeldLease {
  readonly token: string;
  /** Throws when this worker can no longer be sure it owns the step. */
  check(): void;
  /** Whether the lease was lost (for the log); stopping the heartbeat does not lose it. */
  lost(): boolean;
  stop(): void;
  /**
   * The process is stopping while the step waits on the outside world: stop
   * acting, and end the lease now so the next worker reconciles the step at
   * once instead of after the lease's length.
   */
  park(): Promise<void>;
}

export function leaseMsOf(deps: Pick<IncidentEngineDeps, 'stepLeaseMs'>): number {
  return deps.stepLeaseMs ?? DEFAULT_STEP_LEASE_MS;
}

export function holdLease(
  deps: Pick<IncidentEngineDeps, 'logger' | 'stepLeaseMs' | 'workerId' | 'stopwatch'> & { store: StepRecords },
  step: StepRecord,
): HeldLease {
  const token = step.leaseToken;
  if (!token)
    throw new RollbackError('internal', `Step ${step.id} runs without a lease.`, {
      fix: 'Start steps through the runner, which takes the lease.',
    });
  const leaseMs = leaseMsOf(deps);
  // Local, monotonic: the worker gives up a little before the row's expiry, whatever the clocks say.
  let validUntil = deps.stopwatch.elapsedMs() + leaseMs * 0.8;
  let refused = false;
  let renewing = false;
  const beat = async (): Promise<void> => {
    if (renewing || refused) return;
    renewing = true;
    const sentAt = deps.stopwatch.elapsedMs();
    try {
      if (await deps.store.renewLease(step.id, token, leaseMs)) validUntil = sentAt + leaseMs * 0.8;
      else refused = true;
    } catch (error) {
      deps.logger.warn(
        { err: error, stepId: step.id },
        'step lease not renewed; the work stops if it cannot be renewed before it expires',
      );
    } finally {
      renewing = false;
    }
  };
  const timer = setInterval(() => void beat(), Math.max(50, Math.floor(leaseMs / 3)));
  timer.unref();
  const lost = (): boolean => refused || deps.stopwatch.elapsedMs() >= validUntil;
  return {
    token,
    lost,
    check: () => {
      if (!lost()) return;
      throw new RollbackError(
        'conflict',
        `This worker lost its lease on step ${step.id} (${step.kind}); another worker may ` +
          `own it now, so it stops here.`,
        {
          fix: 'Nothing to do: the step is reconciled from the outside world by whichever worker holds it now.',
        },
      );
    },
    stop: () => clearInterval(timer),
    park: async () => {
      clearInterval(timer);
      refused = true;
      await deps.store.moveStep(
        step.id,
        'running',
        'running',
        { releaseLease: true, fence: token },
        {
          incidentId: step.incidentId,
          actor: deps.workerId,
          kind: 'step_parked',
          message:
            `Step ${step.position} (${step.kind}) parked: this process is stopping while it ` +
            `waits; the next worker reconciles it from the outside world.`,
          data: { stepId: step.id },
        },
      );
    },
  };
}

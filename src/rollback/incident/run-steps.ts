/**
 * Durable execution: a step is claimed (SKIP LOCKED), moved to running in the
 * store before its side effect (under the service's advisory lock, with a
 * lease), run while its worker renews the lease, and its end stored after,
 * fenced by the lease's token. Every move goes through transitionStep and is
 * compare-and-set, so two replicas never run one step twice. After a crash,
 * steps found running are reconciled from the outside world first.
 */
import { findService } from '../services';
import type { IncidentRecord, StepRecord } from '../ports/incident-store';
import { type StepContext, appDatabaseUrl, executeStep, stepError } from './executors';
import type { IncidentEngineDeps } from './engine-deps';
import { advanceIncident, isIncidentOpen } from './incident-state';
import { type StepEvent, transitionStep } from './step-state';
import { type HeldLease, holdLease, leaseMsOf } from './step-lease';

const TERMINAL_INCIDENT = new Set(['resolved', 'failed', 'cancelled']);

/** Derives the incident's state from its steps, stores a change, and re-renders its messages. */
export async function afterStepChange(
  deps: IncidentEngineDeps,
  incidentId: string,
): Promise<IncidentRecord | undefined> {
  const incident = await deps.store.getIncident(incidentId);
  if (!incident) return undefined;
  const steps = await deps.store.steps(incidentId);
  let current = incident;
  if (isIncidentOpen(incident.state)) {
    const advance = advanceIncident(incident.state, steps);
    if (advance.changed) {
      const now = deps.clock.now();
      const moved = await deps.store.moveIncident(
        incident.id,
        incident.state,
        advance.state,
        {
          ...(advance.state === 'resolved' ? { restoredAt: now, closedAt: now } : {}),
          ...(TERMINAL_INCIDENT.has(advance.state) && advance.state !== 'resolved' ? { closedAt: now } : {}),
        },
        {
          incidentId,
          service: incident.service,
          actor: 'rollback-bot',
          kind: 'incident_state',
          message: `Incident ${incident.state} → ${advance.state}${advance.reason ? `: ${advance.reason}` : ''}`,
          data: { from: incident.state, to: advance.state, events: [...advance.events] },
        },
      );
      if (moved) current = moved;
    }
  }
  await deps.announcer.announce(incidentId);
  return current;
}

async function contextFor(deps: IncidentEngineDeps, step: StepRecord): Promise<StepContext | undefined> {
  const incident = await deps.store.getIncident(step.incidentId);
  if (!incident) return undefined;
  const steps = await deps.store.steps(step.incidentId);
  const earlier: StepContext['earlier'] = {};
  for (const other of steps) if (other.position < step.position && other.output) earlier[other.kind] = other.output;
  return { deps, incident, step, service: findService(deps.services, incident.service), earlier };
}

/** Records a step's end, fenced by the lease token of the worker that ran it: a worker that lost its lease records nothing. */
async function finishStep(
  deps: IncidentEngineDeps,
  step: StepRecord,
  fence: string,
  event: StepEvent,
  output: Record<string, unknown>,
  error?: StepRecord['error'],
): Promise<void> {
  const to = transitionStep(step.state, event, step.kind);
  const moved = await deps.store.moveStep(
    step.id,
    step.state,
    to,
    { output, error: error ?? null, finishedAt: deps.clock.now(), claimedBy: null, fence },
    {
      incidentId: step.incidentId,
      actor: deps.workerId,
      kind: 'step',
      message: `Step ${step.position} (${step.kind}) ${to}${error ? `: ${error.message}` : ''}`,
      data: { stepId: step.id, from: step.state, to, output, error: error ?? null },
    },
  );
  if (!moved) deps.logger.warn({ stepId: step.id, event }, 'step outcome not recorded: this worker no longer holds the step’s lease');
}

/**
 * Runs one claimed step to its end. Returns false when another replica had it.
 * `held` learns the step's lease once it runs (the runner parks it on stop).
 */
export async function runStep(
  deps: IncidentEngineDeps,
  claimed: StepRecord,
  held?: (lease: HeldLease) => void,
): Promise<boolean> {
  const ctx = await contextFor(deps, claimed);
  if (!ctx) return false;
  // The service lock guards the start only: the lease owns the step from there, and a step
  // waiting on the outside world holds no database connection that others need.
  const locked = await deps.store.withServiceLock(ctx.service.name, async () => {
    const to = transitionStep(claimed.state, 'start', claimed.kind);
    return deps.store.moveStep(
      claimed.id,
      claimed.state,
      to,
      { countAttempt: true, claimedBy: deps.workerId, startedAt: deps.clock.now(), leaseMs: leaseMsOf(deps) },
      { incidentId: claimed.incidentId, actor: deps.workerId, kind: 'step', message: `Step ${claimed.position} (${claimed.kind}) running`, data: { stepId: claimed.id, from: claimed.state, to } },
    );
  });
  if (!locked.ran) {
    // Another replica works on this service now: give the step back for a later tick.
    await deps.store.moveStep(claimed.id, claimed.state, claimed.state, { claimedBy: null });
    return false;
  }
  const running = locked.value;
  if (!running) return false;
  const lease = holdLease(deps, running);
  held?.(lease);
  try {
    await afterStepChange(deps, claimed.incidentId);
    const outcome = await executeStep({ ...ctx, step: running, lease });
    const latest = (await deps.store.getStep(running.id)) ?? running;
    await finishStep(deps, latest, lease.token, outcome.event, outcome.output, outcome.error);
  } finally {
    lease.stop();
  }
  await afterStepChange(deps, claimed.incidentId);
  return true;
}

/**
 * A crash between a step's end and the incident's move leaves the incident
 * behind its steps (verifying with every step succeeded, say), and nothing
 * else would move it: bring each open incident in line with its steps.
 */
export async function settleIncidents(deps: IncidentEngineDeps, open: readonly IncidentRecord[]): Promise<void> {
  for (const incident of open) {
    const steps = await deps.store.steps(incident.id);
    if (steps.length > 0 && advanceIncident(incident.state, steps).changed) await afterStepChange(deps, incident.id);
  }
}

/**
 * A crash between an incident's last move and its announcement would leave its
 * thread without the outcome. At start, announce the incidents that closed in
 * the last hour again: announcing is idempotent, so what was sent stays as it is.
 */
export async function announceRecentlyClosed(deps: IncidentEngineDeps, withinMs = 60 * 60_000): Promise<void> {
  const since = deps.clock.now().getTime() - withinMs;
  for (const incident of await deps.store.listIncidents({ limit: 50 })) {
    if (!isIncidentOpen(incident.state) && incident.closedAt && incident.closedAt.getTime() >= since) await deps.announcer.announce(incident.id);
  }
}

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
      const mine = await deps.store.moveStep(step.id, 'running', 'running', { leaseMs: leaseMsOf(deps), onlyIfLeaseExpired: true, claimedBy: deps.workerId });
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
      return { said: '_prisma_migrations says it was rolled back', data: { archivedTables }, event: 'reconcile_to_succeeded', output: { migration: found.migrationName, archivedTables, reconciled: true } };
    }
    return { said: '_prisma_migrations says nothing changed; it will run again with the same approval', event: 'reconcile_to_not_started', output: {} };
  }
  if (step.kind === 'application' && typeof step.input.targetId === 'string' && step.startedAt) {
    const seen = await deps.application.reconcile({ incidentId: step.incidentId as never, service: ctx.service, targetId: step.input.targetId as never, requestedAt: step.startedAt });
    const said = `Vercel's last alias request says ${seen.status}`;
    if (seen.status === 'succeeded' || seen.status === 'already-live') {
      return { said, data: { status: seen.status }, event: 'reconcile_to_succeeded', output: { ...step.input, method: seen.method, status: seen.status, explanation: seen.explanation, reconciled: true } };
    }
    if (seen.status === 'failed' || seen.status === 'skipped') {
      return { said, data: { status: seen.status }, event: 'reconcile_to_failed', output: { status: seen.status, failedAliases: [...seen.failedAliases] }, error: { code: 'external', message: `Vercel's job ${seen.status}.` } };
    }
    return { said, data: { status: seen.status }, event: 'reconcile_to_not_started', output: {} };
  }
  // Reverts, resets and deploys recognise their own earlier work (trailers, branch head,
  // the build of the pushed commit); verification only reads. Running them again is safe.
  return { said: 'its worker recognises work already done, so it runs again', event: 'reconcile_to_not_started', output: {} };
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
    finding = { said: 'the outside world could not be read', data: { error: stepError(error) }, event: 'lose_track', output: {}, error: stepError(error) };
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

/**
 * Durable execution: a step is claimed (SKIP LOCKED), moved to running in the
 * store before its side effect (under the service's advisory lock, with a
 * lease), run while its worker renews the lease, and its end stored after,
 * fenced by the lease's token. Every move goes through transitionStep and is
 * compare-and-set, so two replicas never run one step twice. After a crash,
 * steps found running are reconciled from the outside world first (reconcile-steps.ts).
 */
import { findService } from '../services';
import type { IncidentRecord, StepRecord } from '../ports/incident-store';
import { executeStep } from './executors';
import type { StepContext } from './step-context';
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

export async function contextFor(deps: IncidentEngineDeps, step: StepRecord): Promise<StepContext | undefined> {
  const incident = await deps.store.getIncident(step.incidentId);
  if (!incident) return undefined;
  const steps = await deps.store.steps(step.incidentId);
  const earlier: StepContext['earlier'] = {};
  for (const other of steps) if (other.position < step.position && other.output) earlier[other.kind] = other.output;
  return { deps, incident, step, service: findService(deps.services, incident.service), earlier };
}

/**
 * Records a step's end, fenced by the lease token of the worker that ran it: a worker that lost its lease records
 * nothing.
 */
export async function finishStep(
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
  if (!moved)
    deps.logger.warn(
      { stepId: step.id, event },
      'step outcome not recorded: this worker no longer holds the step’s lease',
    );
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
      {
        incidentId: claimed.incidentId,
        actor: deps.workerId,
        kind: 'step',
        message: `Step ${claimed.position} (${claimed.kind}) running`,
        data: { stepId: claimed.id, from: claimed.state, to },
      },
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
    if (!isIncidentOpen(incident.state) && incident.closedAt && incident.closedAt.getTime() >= since)
      await deps.announcer.announce(incident.id);
  }
}

/**
 * Plan steps in memory, with the semantics of src/store/queries/steps.ts:
 * compare-and-set moves, claims that expire, leases under fencing tokens,
 * and the running steps whose lease expired found for reconciliation.
 */
import { isIncidentOpen } from '../../../src/rollback/incident/incident-state';
import { isTerminal, needsApproval } from '../../../src/rollback/incident/step-state';
import type { NewStep, StepPatch, StepRecord } from '../../../src/rollback/ports/incident-store';
import type { StepRecords } from '../../../src/rollback/ports/store-roles';
import { type MemoryTables, appendEntry, asJson, conflict, copy, later, requireIncident } from './tables';

/** bigserial ids: anything else names no step (the adapter checks the same before casting). */
const isStepId = (id: string): boolean => /^[1-9][0-9]{0,18}$/.test(id);

const byPosition = (a: StepRecord, b: StepRecord): number => a.position - b.position;

const stepsOf = (tables: MemoryTables, incidentId: string): StepRecord[] =>
  [...tables.steps.values()].filter((s) => s.incidentId === incidentId).sort(byPosition);

/** Appends after the incident's last step, keeping the callers' order (positions max+1, max+2...). */
export function insertSteps(tables: MemoryTables, incidentId: string, steps: readonly NewStep[]): StepRecord[] {
  const last = Math.max(0, ...stepsOf(tables, incidentId).map((s) => s.position));
  const ordered = steps
    .map((step, ord) => ({ step, ord }))
    .sort((a, b) => a.step.position - b.step.position || a.ord - b.ord);
  return ordered.map(({ step }, rank) => {
    tables.sequence.step += 1;
    const record: StepRecord = {
      id: String(tables.sequence.step),
      incidentId,
      position: last + rank + 1,
      kind: step.kind,
      state: step.state,
      input: asJson(step.input ?? {}),
      output: undefined,
      error: undefined,
      attempts: 0,
      claimedBy: undefined,
      startedAt: undefined,
      finishedAt: undefined,
      updatedAt: tables.clock.now(),
      leaseToken: undefined,
      leaseExpiresAt: undefined,
    };
    tables.steps.set(record.id, record);
    return copy(record);
  });
}

const leaseExpired = (step: StepRecord, now: Date): boolean =>
  step.leaseExpiresAt === undefined || step.leaseExpiresAt <= now;

/** Whether the UPDATE's WHERE holds: the state, the fencing token, and for a takeover an expired lease. */
function mayMove(step: StepRecord, from: StepRecord['state'], patch: StepPatch, now: Date): boolean {
  if (step.state !== from) return false;
  if (patch.fence !== undefined && step.leaseToken !== patch.fence) return false;
  return !patch.onlyIfLeaseExpired || leaseExpired(step, now);
}

function moved(
  tables: MemoryTables,
  step: StepRecord,
  to: StepRecord['state'],
  patch: StepPatch,
  now: Date,
): StepRecord {
  const next: StepRecord = { ...step, state: to, updatedAt: now };
  if (patch.input !== undefined) next.input = asJson(patch.input);
  if (patch.output !== undefined) next.output = asJson(patch.output);
  if (patch.error !== undefined) next.error = patch.error === null ? undefined : asJson(patch.error);
  if (patch.claimedBy !== undefined) next.claimedBy = patch.claimedBy ?? undefined;
  next.startedAt = patch.startedAt ?? (to === 'running' && step.state !== 'running' ? now : step.startedAt);
  next.finishedAt = patch.finishedAt ?? (isTerminal(to) ? now : step.finishedAt);
  if (patch.countAttempt) next.attempts = step.attempts + 1;
  if (patch.leaseMs !== undefined) {
    tables.sequence.lease += 1;
    next.leaseToken = String(tables.sequence.lease);
    next.leaseExpiresAt = later(now, patch.leaseMs);
  } else if (patch.releaseLease || to !== 'running') {
    next.leaseExpiresAt = now;
  }
  return next;
}

/** May run now: of an open incident, pending (needing no approval) or approved, every earlier step succeeded. */
function runnable(tables: MemoryTables, step: StepRecord, worker: string, now: Date): boolean {
  const incident = tables.incidents.get(step.incidentId);
  if (!incident || !isIncidentOpen(incident.state)) return false;
  if (!(step.state === 'approved' || (step.state === 'pending' && !needsApproval(step.kind)))) return false;
  const claimLive =
    step.claimedBy !== undefined && step.claimedBy !== worker && step.updatedAt > later(now, -tables.claimLeaseMs);
  if (claimLive) return false;
  return stepsOf(tables, step.incidentId).every((e) => e.position >= step.position || e.state === 'succeeded');
}

export function memorySteps(tables: MemoryTables): StepRecords {
  return {
    async steps(incidentId) {
      return stepsOf(tables, incidentId).map(copy);
    },

    async getStep(id) {
      const step = tables.steps.get(id);
      return step ? copy(step) : undefined;
    },

    async addSteps(incidentId, newSteps) {
      const incident = requireIncident(tables, incidentId);
      if (!isIncidentOpen(incident.state)) {
        throw conflict(
          `Incident ${incidentId} is ${incident.state}: no step can be added to it.`,
          'Start a new rollback if more needs doing.',
        );
      }
      return insertSteps(tables, incidentId, newSteps);
    },

    async moveStep(id, from, to, patch = {}, record) {
      const step = isStepId(id) ? tables.steps.get(id) : undefined;
      const now = tables.clock.now();
      if (!step || !mayMove(step, from, patch, now)) return undefined;
      if (record?.incidentId !== undefined) requireIncident(tables, record.incidentId);
      const next = moved(tables, step, to, patch, now);
      tables.steps.set(id, next);
      if (record) appendEntry(tables, record);
      return copy(next);
    },

    async claimRunnable(worker, limit) {
      if (limit <= 0) return [];
      const now = tables.clock.now();
      const openedAt = (step: StepRecord): number => tables.incidents.get(step.incidentId)?.openedAt.getTime() ?? 0;
      const picked = [...tables.steps.values()]
        .filter((step) => runnable(tables, step, worker, now))
        .sort(
          (a, b) => openedAt(a) - openedAt(b) || a.incidentId.localeCompare(b.incidentId) || a.position - b.position,
        )
        .slice(0, limit);
      return picked.map((step) => {
        const claimed = { ...step, claimedBy: worker, updatedAt: now };
        tables.steps.set(step.id, claimed);
        return copy(claimed);
      });
    },

    async runningSteps() {
      const now = tables.clock.now();
      return [...tables.steps.values()]
        .filter((step) => step.state === 'running' && leaseExpired(step, now))
        .sort((a, b) => a.incidentId.localeCompare(b.incidentId) || a.position - b.position)
        .map(copy);
    },

    async renewLease(stepId, token, leaseMs) {
      const step = isStepId(stepId) ? tables.steps.get(stepId) : undefined;
      if (step?.state !== 'running' || step.leaseToken !== token) return false;
      tables.steps.set(stepId, { ...step, leaseExpiresAt: later(tables.clock.now(), leaseMs) });
      return true;
    },
  };
}

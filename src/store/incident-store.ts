/**
 * The incident engine's storage on PostgreSQL. Each method composes the
 * queries in ./queries; races between replicas are settled by the database
 * (the one-open-incident index, compare-and-set updates, SKIP LOCKED claims,
 * advisory locks), never by this process. Its approvals, per-service and
 * after-rollback parts are in approval-store.ts, service-store.ts and
 * follow-through-store.ts.
 */
import { isIncidentOpen } from '../rollback/incident/incident-state';
import { RollbackError } from '../rollback/errors';
import type { IncidentStore, NewIncident, NewTimelineEntry, TimelineRecord } from '../rollback/ports/incident-store';
import type { Db } from './pool';
import * as approvals from './queries/approvals';
import * as incidents from './queries/incidents';
import * as steps from './queries/steps';
import { type TimelineRow, appendTimeline, listTimeline } from './queries/timeline';
import { approvalMethods } from './approval-store';
import { followThroughMethods } from './follow-through-store';
import { flagSwitchMethods } from './flag-switch-store';
import { serviceMethods } from './service-store';
import { FOREIGN_KEY_VIOLATION, UNIQUE_VIOLATION, pgFault, unknownIncident, unknownService } from './store-errors';

export interface IncidentStoreOptions {
  /**
   * How long a claim on a step that has not started keeps other workers away.
   * A worker that claims a step either starts it or gives it back at once;
   * this only matters when it died in between.
   */
  claimLeaseMs?: number;
}

const DEFAULT_CLAIM_LEASE_MS = 60_000;
const OPEN_INCIDENT_ATTEMPTS = 3;

function openIncidentError(error: unknown, incident: NewIncident): unknown {
  const fault = pgFault(error);
  if (fault.code === FOREIGN_KEY_VIOLATION) return unknownService(incident.service, error);
  if (fault.code === UNIQUE_VIOLATION && fault.constraint === 'incidents_pkey') {
    return new RollbackError('conflict', `The incident id ${incident.id} is already used by an earlier incident.`, {
      cause: error,
      retryable: true,
      fix: 'Ask again: a new request gets a new id.',
    });
  }
  return error;
}

function secondOpenIncident(error: unknown, id: string): unknown {
  if (pgFault(error).code !== UNIQUE_VIOLATION) return error;
  return new RollbackError(
    'conflict',
    `Incident ${id} cannot be reopened: its service already has another open incident.`,
    {
      cause: error,
      fix: 'Finish or cancel the open incident first.',
    },
  );
}

function toTimeline(row: TimelineRow): TimelineRecord {
  return {
    id: row.id,
    incidentId: row.incident_id ?? undefined,
    service: row.service ?? undefined,
    at: row.at,
    actor: row.actor,
    kind: row.kind,
    message: row.message,
    data: row.data,
  };
}

export function createIncidentStore(db: Db, options: IncidentStoreOptions = {}): IncidentStore {
  const leaseSeconds = (options.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS) / 1000;

  const getIncident = async (id: string) => {
    const [row] = await db.query<incidents.IncidentRow>(incidents.selectIncident(id));
    return row ? incidents.toIncident(row) : undefined;
  };

  /** A move and the timeline entry recording it commit together; the entry is written only when the move happened. */
  const withRecord = <R>(
    record: NewTimelineEntry | undefined,
    move: (q: Db) => Promise<R | undefined>,
  ): Promise<R | undefined> =>
    record === undefined
      ? move(db)
      : db.transaction(async (tx) => {
          const moved = await move(tx);
          if (moved !== undefined) await tx.query(appendTimeline(record));
          return moved;
        });

  const store: IncidentStore = {
    async openIncident(incident, newSteps, opened, approvalsNeeded = []) {
      // A miss (the open incident closed between our insert and our read) is retried a few times.
      for (let attempt = 1; attempt <= OPEN_INCIDENT_ATTEMPTS; attempt += 1) {
        const outcome = await db
          .transaction(async (tx) => {
            const [row] = await tx.query<incidents.IncidentRow>(incidents.insertIncident(incident));
            if (row) {
              const inserted =
                newSteps.length > 0 ? await tx.query<steps.StepRow>(steps.insertSteps(row.id, newSteps)) : [];
              if (opened) await tx.query(appendTimeline({ ...opened, incidentId: row.id }));
              for (const needed of approvalsNeeded) {
                const step = inserted.find((s) => s.position === needed.position);
                if (!step)
                  throw new RollbackError(
                    'internal',
                    `The plan has no step at position ${needed.position} for approval ${needed.approval.id}.`,
                  );
                await tx.query(
                  approvals.insertApproval({ ...needed.approval, incidentId: row.id, stepId: String(step.id) }),
                );
                await tx.query(appendTimeline({ ...needed.record, incidentId: row.id }));
              }
              return { incident: incidents.toIncident(row), created: true };
            }
            const [open] = await tx.query<incidents.IncidentRow>(incidents.selectOpenIncident(incident.service));
            return open ? { incident: incidents.toIncident(open), created: false } : undefined;
          })
          .catch((error: unknown) => {
            throw openIncidentError(error, incident);
          });
        if (outcome) return outcome;
      }
      throw new RollbackError(
        'conflict',
        `Incidents of ${incident.service} are opening and closing too fast to open a new one.`,
        {
          retryable: true,
          fix: 'Try again in a few seconds.',
        },
      );
    },

    getIncident,

    async findOpenIncident(service) {
      const [row] = await db.query<incidents.IncidentRow>(incidents.selectOpenIncident(service));
      return row ? incidents.toIncident(row) : undefined;
    },

    async listIncidents(listOptions) {
      return (await db.query<incidents.IncidentRow>(incidents.selectIncidents(listOptions))).map(incidents.toIncident);
    },

    async updateIncident(id, patch) {
      const [row] = await db
        .query<incidents.IncidentRow>(incidents.patchIncident(id, patch))
        .catch((error: unknown) => {
          throw secondOpenIncident(error, id);
        });
      if (!row) throw unknownIncident(id);
      return incidents.toIncident(row);
    },

    async moveIncident(id, from, to, patch = {}, record) {
      const row = await withRecord(
        record,
        async (q) =>
          (await q.query<incidents.IncidentRow>(incidents.patchIncident(id, { ...patch, state: to }, from)))[0],
      ).catch((error: unknown) => {
        throw secondOpenIncident(error, id);
      });
      return row ? incidents.toIncident(row) : undefined;
    },

    async steps(incidentId) {
      return (await db.query<steps.StepRow>(steps.selectSteps(incidentId))).map(steps.toStep);
    },

    async getStep(id) {
      if (!steps.isStepId(id)) return undefined;
      const [row] = await db.query<steps.StepRow>(steps.selectStep(id));
      return row ? steps.toStep(row) : undefined;
    },

    async addSteps(incidentId, newSteps) {
      return db.transaction(async (tx) => {
        const [row] = await tx.query<incidents.IncidentRow>(incidents.lockIncident(incidentId));
        if (!row) throw unknownIncident(incidentId);
        if (!isIncidentOpen(row.state)) {
          throw new RollbackError('conflict', `Incident ${incidentId} is ${row.state}: no step can be added to it.`, {
            fix: 'Start a new rollback if more needs doing.',
          });
        }
        if (newSteps.length === 0) return [];
        return (await tx.query<steps.StepRow>(steps.insertSteps(incidentId, newSteps))).map(steps.toStep);
      });
    },

    async moveStep(id, from, to, patch, record) {
      if (!steps.isStepId(id)) return undefined;
      const row = await withRecord(
        record,
        async (q) => (await q.query<steps.StepRow>(steps.moveStep(id, from, to, patch)))[0],
      );
      return row ? steps.toStep(row) : undefined;
    },

    async claimRunnable(worker, limit) {
      if (limit <= 0) return [];
      return (await db.query<steps.StepRow>(steps.claimRunnable(worker, limit, leaseSeconds))).map(steps.toStep);
    },

    async runningSteps() {
      return (await db.query<steps.StepRow>(steps.selectRunningSteps())).map(steps.toStep);
    },

    async renewLease(stepId, token, leaseMs) {
      if (!steps.isStepId(stepId)) return false;
      return (await db.query(steps.renewLease(stepId, token, leaseMs / 1000))).length === 1;
    },

    async appendTimeline(entry) {
      await db.query(appendTimeline(entry)).catch((error: unknown) => {
        throw pgFault(error).code === FOREIGN_KEY_VIOLATION && entry.incidentId
          ? unknownIncident(entry.incidentId, error)
          : error;
      });
    },

    async timeline(incidentId) {
      return (await db.query<TimelineRow>(listTimeline(incidentId))).map(toTimeline);
    },

    ...approvalMethods(db),
    ...serviceMethods(db),
    ...followThroughMethods(db, () => store),
    ...flagSwitchMethods(db),
  };
  return store;
}

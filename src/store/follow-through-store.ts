/**
 * The store's after-rollback part: the post-rollback checklist (follow_ups)
 * and the inputs of the runbook's metrics (incidents, and flags switched). Spread into the incident store.
 */
import type { IncidentStore, MetricsInput } from '../rollback/ports/incident-store';
import type { Db } from './pool';
import * as followUps from './queries/follow-ups';
import * as incidents from './queries/incidents';
import * as stats from './queries/stats';
import { type TimelineRow, selectFlagActions } from './queries/timeline';
import { FOREIGN_KEY_VIOLATION, pgFault, unknownIncident } from './store-errors';

function toMetricsInput(row: stats.MetricsRow): MetricsInput {
  return {
    incident: incidents.toIncident(row),
    deployedAt: row.deployed_at ?? undefined,
    archives: stats.toArchiveFacts(row),
  };
}

type FollowThroughMethods = Pick<
  IncidentStore,
  | 'followUps'
  | 'startFollowUps'
  | 'changeFollowUps'
  | 'incidentsWithDueFollowUps'
  | 'openFollowUps'
  | 'metricsInputs'
  | 'metricsInput'
  | 'flagActions'
>;

/** `store` is the whole store, for methods that answer by reading again. */
export function followThroughMethods(db: Db, store: () => IncidentStore): FollowThroughMethods {
  return {
    async followUps(incidentId) {
      return (await db.query<followUps.FollowUpRow>(followUps.selectFollowUps(incidentId))).map(followUps.toFollowUp);
    },

    async startFollowUps(incidentId, items) {
      await db.query(followUps.insertFollowUps(incidentId, items)).catch((error: unknown) => {
        throw pgFault(error).code === FOREIGN_KEY_VIOLATION ? unknownIncident(incidentId, error) : error;
      });
      return store().followUps(incidentId);
    },

    async changeFollowUps(incidentId, change) {
      return db.transaction(async (tx) => {
        const before = (await tx.query<followUps.FollowUpRow>(followUps.selectFollowUps(incidentId, true))).map(
          followUps.toFollowUp,
        );
        const after = change(before);
        for (const item of after) {
          const was = before.find((b) => b.id === item.id);
          if (!was || JSON.stringify(was) !== JSON.stringify(item))
            await tx.query(followUps.updateFollowUp(incidentId, item));
        }
        return { before, after };
      });
    },

    async incidentsWithDueFollowUps(at) {
      return (await db.query<{ incident_id: string }>(followUps.selectIncidentsWithDueFollowUps(at))).map(
        (row) => row.incident_id,
      );
    },

    async openFollowUps(limit) {
      return (await db.query<followUps.OpenFollowUpRow>(followUps.selectOpenFollowUps(limit))).map((row) => ({
        incidentId: row.incident_id,
        service: row.service,
        item: followUps.toFollowUp(row),
      }));
    },

    async metricsInputs(options) {
      const rows = await db.query<stats.MetricsRow>(stats.selectMetricsInputs(options));
      const [count] = await db.query<{ n: number }>(stats.countDeployments(options));
      return { incidents: rows.map(toMetricsInput), deployments: count?.n ?? 0 };
    },

    async flagActions(options) {
      const rows = await db.query<TimelineRow>(selectFlagActions(options));
      return rows.flatMap((row) => {
        const { flag, state } = row.data;
        if (typeof flag !== 'string' || (state !== 'on' && state !== 'off') || row.service === null) return [];
        return [{ service: row.service, at: row.at, flag, state, incidentId: row.incident_id ?? undefined }];
      });
    },

    async metricsInput(incidentId) {
      const [row] = await db.query<stats.MetricsRow>(stats.selectMetricsInput(incidentId));
      return row ? toMetricsInput(row) : undefined;
    },
  };
}

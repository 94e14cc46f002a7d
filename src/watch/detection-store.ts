/** The DetectionStore port on PostgreSQL: each method one statement of ../store/queries. */
import type { AlertTotals, DetectionStore } from '../rollback/detection/detection-record';
import { RollbackError } from '../rollback/errors';
import type { Db } from '../store/pool';
import * as alerts from '../store/queries/alerts';
import * as detections from '../store/queries/detections';

const STALE_BATCH = 1000;

export function createDetectionStore(db: Db): DetectionStore {
  const openDetectionOf = async (service: string) => {
    const [row] = await db.query<detections.DetectionRow>(detections.selectOpenDetection(service));
    return row ? detections.toDetection(row) : undefined;
  };
  return {
    async saveAlerts(states) {
      if (states.length > 0) await db.query(alerts.upsertAlertStates(states));
    },
    async firingAlerts(service, now) {
      return (await db.query<alerts.AlertRow>(alerts.selectFiringAlerts(service, now))).map(alerts.toAlertState);
    },
    async episodeAlerts(service, since, limit) {
      return (await db.query<alerts.AlertRow>(alerts.selectEpisodeAlerts(service, since, limit))).map(
        alerts.toAlertState,
      );
    },
    async alertTotals(service, since, now) {
      const [row] = await db.query<alerts.AlertTotalsRow>(alerts.selectAlertTotals(service, since, now));
      const totals: AlertTotals = {
        alerts: row?.alerts ?? 0,
        firing: row?.firing ?? 0,
        notifications: row?.notifications ?? 0,
      };
      if (row?.last_resolved_at) totals.lastResolvedAt = row.last_resolved_at;
      return totals;
    },
    async forgetStaleAlerts(service, before) {
      let total = 0;
      for (;;) {
        const deleted = (await db.query(alerts.deleteStaleAlerts(service, before, STALE_BATCH))).length;
        total += deleted;
        if (deleted < STALE_BATCH) return total;
      }
    },

    async triggerState(service) {
      const [row] = await db.query<detections.TriggerStateRow>(detections.selectTriggerState(service));
      return detections.toTriggerState(row);
    },
    async saveTriggerState(service, slot, state) {
      return (await db.query(detections.saveTriggerState(service, slot, state))).length === 1;
    },

    async openDetection(detection) {
      // One open record per service: a lost race reads the winner's (retried if it ended in between).
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const [row] = await db.query<detections.DetectionRow>(detections.insertDetection(detection));
        if (row) return { detection: detections.toDetection(row), created: true };
        const open = await openDetectionOf(detection.service);
        if (open) return { detection: open, created: false };
      }
      throw new RollbackError(
        'conflict',
        `Detections of ${detection.service} are opening and ending too fast to record a new one.`,
        {
          retryable: true,
          fix: 'The next evaluation interval tries again.',
        },
      );
    },
    openDetectionOf,
    async getDetection(id) {
      if (!/^\d{1,18}$/.test(id)) return undefined;
      const [row] = await db.query<detections.DetectionRow>(detections.selectDetection(id));
      return row ? detections.toDetection(row) : undefined;
    },
    async detectionOfIncident(incidentId) {
      const [row] = await db.query<detections.DetectionRow>(detections.selectDetectionOfIncident(incidentId));
      return row ? detections.toDetection(row) : undefined;
    },
    async updateDetection(id, patch) {
      const [row] = await db.query<detections.DetectionRow>(detections.updateDetection(id, patch));
      return row ? detections.toDetection(row) : undefined;
    },
  };
}

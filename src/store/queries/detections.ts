/**
 * The trigger rules' state per service and the detection records (one open
 * per service: the partial unique index settles races between replicas).
 */
import type {
  DetectionPatch,
  DetectionRecord,
  NewDetection,
  StoredTriggerState,
} from '../../rollback/detection/detection-record';
import type { TriggerRule, Verdict } from '../../rollback/signals/triggers';
import type { Query } from '../pool';

export interface TriggerStateRow {
  five_xx_intervals: number;
  last_slot: Date | null;
  last_verdict: Verdict | null;
  last_rule: TriggerRule | null;
  last_reason: string | null;
}

export function toTriggerState(row: TriggerStateRow | undefined): StoredTriggerState {
  const state: StoredTriggerState = { fiveXxIntervals: row?.five_xx_intervals ?? 0 };
  if (row?.last_slot) state.lastSlot = row.last_slot;
  if (row?.last_verdict) state.lastVerdict = row.last_verdict;
  if (row?.last_rule) state.lastRule = row.last_rule;
  if (row?.last_reason) state.lastReason = row.last_reason;
  return state;
}

export const selectTriggerState = (service: string): Query => ({
  text:
    'SELECT five_xx_intervals, last_slot, last_verdict, last_rule, last_reason FROM ' +
    'detection_states WHERE service = $1',
  values: [service],
});

/**
 * Stores the state of one evaluated slot, only if no later (or the same) slot
 * was stored meanwhile: returns no row when the slot was already evaluated.
 */
export const saveTriggerState = (service: string, slot: Date, state: StoredTriggerState): Query => ({
  text: `INSERT INTO detection_states AS d (service, five_xx_intervals, last_slot,
           last_verdict, last_rule, last_reason, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, now())
         ON CONFLICT (service) DO UPDATE SET five_xx_intervals = EXCLUDED.five_xx_intervals, last_slot =
           EXCLUDED.last_slot,
           last_verdict = EXCLUDED.last_verdict, last_rule = EXCLUDED.last_rule, last_reason = EXCLUDED.last_reason,
             updated_at = now()
         WHERE d.last_slot IS NULL OR d.last_slot < EXCLUDED.last_slot
         RETURNING service`,
  values: [
    service,
    state.fiveXxIntervals,
    slot,
    state.lastVerdict ?? null,
    state.lastRule ?? null,
    state.lastReason ?? null,
  ],
});

export interface DetectionRow {
  id: string;
  service: string;
  status: 'open' | 'ended';
  level: 'must' | 'should' | 'may';
  rule: TriggerRule | null;
  reason: string;
  since: Date;
  opened_at: Date;
  updated_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
  incident_id: string | null;
  incident_origin: 'detection' | 'proposal' | 'joined' | null;
  proposal_posted: boolean;
  monitor_by: string | null;
  monitor_at: Date | null;
  monitor_until: Date | null;
  asked_again: number;
}

const COLUMNS = `id, service, status, level, rule, reason, since, opened_at, updated_at, ended_at, end_reason,
  incident_id, incident_origin, proposal_posted, monitor_by, monitor_at, monitor_until, asked_again`;

export function toDetection(row: DetectionRow): DetectionRecord {
  const record: DetectionRecord = {
    id: String(row.id),
    service: row.service,
    status: row.status,
    level: row.level,
    reason: row.reason,
    since: row.since,
    openedAt: row.opened_at,
    updatedAt: row.updated_at,
    proposalPosted: row.proposal_posted,
    askedAgain: row.asked_again,
  };
  if (row.rule) record.rule = row.rule;
  if (row.ended_at) record.endedAt = row.ended_at;
  if (row.end_reason) record.endReason = row.end_reason;
  if (row.incident_id && row.incident_origin) record.incident = { id: row.incident_id, origin: row.incident_origin };
  if (row.monitor_by && row.monitor_at && row.monitor_until)
    record.monitor = { by: row.monitor_by, at: row.monitor_at, until: row.monitor_until };
  return record;
}

/** Returns no row when the service already has an open detection. */
export const insertDetection = (d: NewDetection): Query => ({
  text: `INSERT INTO detections (service, level, rule, reason, since, opened_at, updated_at,
           incident_id, incident_origin)
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8)
         ON CONFLICT (service) WHERE status = 'open' DO NOTHING
         RETURNING ${COLUMNS}`,
  values: [
    d.service,
    d.level,
    d.rule ?? null,
    d.reason,
    d.since,
    d.openedAt,
    d.incident?.id ?? null,
    d.incident?.origin ?? null,
  ],
});

export const selectOpenDetection = (service: string): Query => ({
  text: `SELECT ${COLUMNS} FROM detections WHERE service = $1 AND status = 'open'`,
  values: [service],
});

export const selectDetection = (id: string): Query => ({
  text: `SELECT ${COLUMNS} FROM detections WHERE id = $1`,
  values: [id],
});

export const selectDetectionOfIncident = (incidentId: string): Query => ({
  text: `SELECT ${COLUMNS} FROM detections WHERE incident_id = $1 ORDER BY id DESC LIMIT 1`,
  values: [incidentId],
});

/**
 * Patches an open detection; `null` clears a field. Linking an incident only
 * succeeds while none is linked, so two replicas cannot link two.
 */
export function updateDetection(id: string, patch: DetectionPatch): Query {
  const sets: string[] = ['updated_at = $2'];
  const values: unknown[] = [id, patch.at];
  const set = (column: string, value: unknown): void => {
    values.push(value);
    sets.push(`${column} = $${values.length}`);
  };
  if (patch.level !== undefined) set('level', patch.level);
  if (patch.rule !== undefined) set('rule', patch.rule);
  if (patch.reason !== undefined) set('reason', patch.reason);
  if (patch.proposalPosted !== undefined) set('proposal_posted', patch.proposalPosted);
  if (patch.incident !== undefined) {
    set('incident_id', patch.incident.id);
    set('incident_origin', patch.incident.origin);
  }
  if (patch.monitor !== undefined) {
    set('monitor_by', patch.monitor?.by ?? null);
    set('monitor_at', patch.monitor?.at ?? null);
    set('monitor_until', patch.monitor?.until ?? null);
  }
  if (patch.askedAgain) sets.push('asked_again = asked_again + 1');
  if (patch.end !== undefined) {
    sets.push(`status = 'ended'`);
    set('ended_at', patch.at);
    set('end_reason', patch.end);
  }
  const guard = patch.incident !== undefined ? ' AND incident_id IS NULL' : '';
  return {
    text: `UPDATE detections SET ${sets.join(', ')} WHERE id = $1 AND status = 'open'${guard} RETURNING ${COLUMNS}`,
    values,
  };
}

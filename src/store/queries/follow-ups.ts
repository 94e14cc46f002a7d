/** The post-rollback checklist as rows: one per item, in the runbook's order. */
import type { FollowUpId, FollowUpItem } from '../../rollback/follow-up/checklist';
import type { Query } from '../pool';

const COLUMNS = 'incident_id, item, position, title, due_at, done_at, done_by, snoozed_until, reminded_at';

export interface FollowUpRow {
  incident_id: string;
  item: string;
  position: number;
  title: string;
  due_at: Date;
  done_at: Date | null;
  done_by: string | null;
  snoozed_until: Date | null;
  reminded_at: Date | null;
}

export function toFollowUp(row: FollowUpRow): FollowUpItem {
  const item: FollowUpItem = { id: row.item as FollowUpId, title: row.title, dueAt: row.due_at };
  if (row.done_at) item.doneAt = row.done_at;
  if (row.done_by) item.doneBy = row.done_by;
  if (row.snoozed_until) item.snoozedUntil = row.snoozed_until;
  if (row.reminded_at) item.remindedAt = row.reminded_at;
  return item;
}

export const selectFollowUps = (incidentId: string, lock = false): Query => ({
  text: `SELECT ${COLUMNS} FROM follow_ups WHERE incident_id = $1 ORDER BY position${lock ? ' FOR UPDATE' : ''}`,
  values: [incidentId],
});

/** Inserts the whole checklist; an incident that has one already keeps it. */
export const insertFollowUps = (incidentId: string, items: readonly FollowUpItem[]): Query => ({
  text: `INSERT INTO follow_ups (incident_id, item, position, title, due_at, done_at, done_by,
           snoozed_until, reminded_at)
         SELECT $1, x.item, x.position, x.title, x.due_at, x.done_at, x.done_by, x.snoozed_until, x.reminded_at
         FROM jsonb_to_recordset($2::jsonb) AS x(item text, position integer, title text, due_at timestamptz, done_at
           timestamptz,
           done_by text, snoozed_until timestamptz, reminded_at timestamptz)
         WHERE NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.incident_id = $1)
         ON CONFLICT (incident_id, item) DO NOTHING`,
  values: [
    incidentId,
    JSON.stringify(
      items.map((item, position) => ({
        item: item.id,
        position,
        title: item.title,
        due_at: item.dueAt,
        done_at: item.doneAt ?? null,
        done_by: item.doneBy ?? null,
        snoozed_until: item.snoozedUntil ?? null,
        reminded_at: item.remindedAt ?? null,
      })),
    ),
  ],
});

/** Writes an item's changeable fields as the domain computed them (undefined clears). */
export const updateFollowUp = (incidentId: string, item: FollowUpItem): Query => ({
  text: `UPDATE follow_ups SET done_at = $3, done_by = $4, snoozed_until = $5, reminded_at = $6
         WHERE incident_id = $1 AND item = $2`,
  values: [
    incidentId,
    item.id,
    item.doneAt ?? null,
    item.doneBy ?? null,
    item.snoozedUntil ?? null,
    item.remindedAt ?? null,
  ],
});

/** Incidents with an open item whose deadline and snooze have both passed. */
export const selectIncidentsWithDueFollowUps = (at: Date): Query => ({
  text: `SELECT DISTINCT f.incident_id FROM follow_ups f
         WHERE f.done_at IS NULL AND f.due_at <= $1 AND (f.snoozed_until IS NULL OR f.snoozed_until <= $1)
         ORDER BY f.incident_id`,
  values: [at],
});

export interface OpenFollowUpRow extends FollowUpRow {
  service: string;
}

/** Open items of every incident, soonest deadline first. */
export const selectOpenFollowUps = (limit: number): Query => ({
  text: `SELECT ${COLUMNS.split(', ')
    .map((c) => `f.${c}`)
    .join(', ')}, i.service
         FROM follow_ups f JOIN incidents i ON i.id = f.incident_id
         WHERE f.done_at IS NULL
         ORDER BY f.due_at, f.incident_id, f.position
         LIMIT $1`,
  values: [limit],
});

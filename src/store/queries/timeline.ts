import type { Query } from '../pool';

export interface TimelineEntry {
  incidentId?: string;
  service?: string;
  actor: string;
  kind: string;
  message: string;
  data?: Record<string, unknown>;
  at?: Date;
}

export interface TimelineRow {
  id: string;
  incident_id: string | null;
  service: string | null;
  at: Date;
  actor: string;
  kind: string;
  message: string;
  data: Record<string, unknown>;
}

export const appendTimeline = (entry: TimelineEntry): Query => ({
  text: `INSERT INTO timeline (incident_id, service, at, actor, kind, message, data)
         VALUES ($1, $2, COALESCE($3, now()), $4, $5, $6, $7) RETURNING id`,
  values: [
    entry.incidentId ?? null,
    entry.service ?? null,
    entry.at ?? null,
    entry.actor,
    entry.kind,
    entry.message,
    JSON.stringify(entry.data ?? {}),
  ],
});

export const listTimeline = (incidentId: string): Query => ({
  text:
    'SELECT id, incident_id, service, at, actor, kind, message, data FROM timeline ' +
    'WHERE incident_id = $1 ORDER BY id',
  values: [incidentId],
});

/** The flags switched in a period, oldest first (the timeline kind is FLAG_SWITCHED). */
export const selectFlagActions = (options: { service?: string; from: Date; to: Date }): Query => ({
  text: `SELECT id, incident_id, service, at, actor, kind, message, data FROM timeline
         WHERE kind = 'flag_switched' AND at >= $1 AND at < $2 AND ($3::text IS NULL OR service = $3)
         ORDER BY at, id`,
  values: [options.from, options.to, options.service ?? null],
});

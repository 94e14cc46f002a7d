/**
 * Alert states as queries. Many states are written with one statement
 * (arrays unnested into rows), merged with the stored row the way
 * foldSignal merges in memory: the newer notification decides the state, a
 * resolved or expired alert that fires again starts a new spell.
 */
import { ALERT_EXPIRY_MS, type AlertState } from '../../rollback/detection/alert-state';
import type { ServiceName } from '../../rollback/ids';
import type { Severity, SignalKind, SignalSource } from '../../rollback/signals/signal';
import type { Query } from '../pool';

export interface AlertRow {
  service: string;
  fingerprint: string;
  source: SignalSource;
  kind: SignalKind;
  value: number | null;
  firing: boolean;
  severity: Severity | null;
  feature: string | null;
  summary: string;
  first_seen_at: Date;
  last_seen_at: Date;
  started_at: Date | null;
  resolved_at: Date | null;
  repeats: number;
}

const COLUMNS = `service, fingerprint, source, kind, value, firing, severity, feature, summary,
  first_seen_at, last_seen_at, started_at, resolved_at, repeats`;

export function toAlertState(row: AlertRow): AlertState {
  const state: AlertState = {
    service: row.service as ServiceName,
    fingerprint: row.fingerprint,
    source: row.source,
    kind: row.kind,
    firing: row.firing,
    summary: row.summary,
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    repeats: row.repeats,
  };
  if (row.value !== null) state.value = row.value;
  if (row.severity !== null) state.severity = row.severity;
  if (row.feature !== null) state.feature = row.feature;
  if (row.started_at !== null) state.startedAt = row.started_at;
  if (row.resolved_at !== null) state.resolvedAt = row.resolved_at;
  return state;
}

const EXPIRY = `interval '${ALERT_EXPIRY_MS / 1000} seconds'`;
/** The incoming row is at least as new as the stored one. */
const NEWER = 'EXCLUDED.last_seen_at >= a.last_seen_at';
/** The incoming firing notifications start a new spell: the stored alert had resolved or expired. */
const NEW_SPELL =
  `(EXCLUDED.repeats > 0 AND ${NEWER} AND (NOT a.firing OR a.last_seen_at < ` + `EXCLUDED.first_seen_at - ${EXPIRY}))`;
const fromNewer = (column: string): string =>
  `${column} = CASE WHEN ${NEWER} THEN EXCLUDED.${column} ELSE a.${column} END`;
const fromNewerKept = (column: string): string =>
  `${column} = CASE WHEN ${NEWER} THEN COALESCE(EXCLUDED.${column}, a.${column}) ELSE a.${column} END`;

/**
 * One statement for any number of states (each (service, fingerprint) at most
 * once: fold them first). A resolve for an alert never seen firing is dropped.
 */
export function upsertAlertStates(states: readonly AlertState[]): Query {
  const col = <T>(pick: (s: AlertState) => T): T[] => states.map(pick);
  return {
    text: `INSERT INTO alert_states AS a (${COLUMNS})
      SELECT u.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::bool[], $7::text[],
        $8::text[],
                             $9::text[], $10::timestamptz[], $11::timestamptz[], $12::timestamptz[], $13::timestamptz[],
                               $14::int[])
        AS u(service, fingerprint, source, kind, value, firing, severity, feature, summary,
             first_seen_at, last_seen_at, started_at, resolved_at, repeats)
      WHERE u.repeats > 0 OR EXISTS (SELECT 1 FROM alert_states s WHERE s.service = u.service AND s.fingerprint =
        u.fingerprint)
      ON CONFLICT (service, fingerprint) DO UPDATE SET
        ${fromNewer('source')},
        ${fromNewer('kind')},
        ${fromNewer('firing')},
        ${fromNewer('summary')},
        ${fromNewer('resolved_at')},
        ${fromNewerKept('value')},
        ${fromNewerKept('severity')},
        ${fromNewerKept('feature')},
        first_seen_at = CASE WHEN ${NEW_SPELL} THEN EXCLUDED.first_seen_at ELSE LEAST(a.first_seen_at,
          EXCLUDED.first_seen_at) END,
        started_at = CASE WHEN ${NEW_SPELL} THEN EXCLUDED.started_at ELSE LEAST(a.started_at, EXCLUDED.started_at) END,
        repeats = CASE WHEN ${NEW_SPELL} THEN EXCLUDED.repeats ELSE a.repeats + EXCLUDED.repeats END,
        last_seen_at = GREATEST(a.last_seen_at, EXCLUDED.last_seen_at)`,
    values: [
      col((s) => s.service),
      col((s) => s.fingerprint),
      col((s) => s.source),
      col((s) => s.kind),
      col((s) => s.value ?? null),
      col((s) => s.firing),
      col((s) => s.severity ?? null),
      col((s) => s.feature ?? null),
      col((s) => s.summary),
      col((s) => s.firstSeenAt),
      col((s) => s.lastSeenAt),
      col((s) => s.startedAt ?? null),
      col((s) => s.resolvedAt ?? null),
      col((s) => s.repeats),
    ],
  };
}

/** Alerts of a service firing at `now`: not resolved, and repeated within the expiry. */
export const selectFiringAlerts = (service: string, now: Date): Query => ({
  text: `SELECT ${COLUMNS} FROM alert_states
         WHERE service = $1 AND firing AND last_seen_at > $2::timestamptz - ${EXPIRY}
         ORDER BY first_seen_at, fingerprint`,
  values: [service, now],
});

/** Alerts of an episode: heard since it began, firing ones first, then the most repeated. */
export const selectEpisodeAlerts = (service: string, since: Date, limit: number): Query => ({
  text: `SELECT ${COLUMNS} FROM alert_states
         WHERE service = $1 AND last_seen_at >= $2
         ORDER BY firing DESC, repeats DESC, first_seen_at, fingerprint
         LIMIT $3`,
  values: [service, since, limit],
});

export interface AlertTotalsRow {
  alerts: number;
  firing: number;
  notifications: number;
  last_resolved_at: Date | null;
}

/** Counts over an episode's alerts; firing as at `now` (the expiry applied). */
export const selectAlertTotals = (service: string, since: Date, now: Date): Query => ({
  text: `SELECT count(*)::int AS alerts,
                (count(*) FILTER (WHERE firing AND last_seen_at > $3::timestamptz - ${EXPIRY}))::int AS firing,
                COALESCE(sum(repeats), 0)::int AS notifications,
                max(resolved_at) AS last_resolved_at
         FROM alert_states WHERE service = $1 AND last_seen_at >= $2`,
  values: [service, since, now],
});

/** Forgets alerts nobody has mentioned for `before` (kept bounded by the detection job). */
export const deleteStaleAlerts = (service: string, before: Date, limit: number): Query => ({
  text: `DELETE FROM alert_states WHERE ctid IN (
           SELECT ctid FROM alert_states WHERE service = $1 AND last_seen_at < $2 LIMIT $3)
         RETURNING fingerprint`,
  values: [service, before, limit],
});

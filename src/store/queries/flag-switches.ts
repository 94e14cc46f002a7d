/** The flag_switches table: one row per (service, flag), claimed by a compare-and-set before each switch. */
import type { FlagState, FlagSwitchClaim, FlagSwitchRecord } from '../../rollback/ports/flags';
import type { Query } from '../pool';

export interface FlagSwitchRow {
  service: string;
  flag: string;
  state: FlagState;
  status: FlagSwitchRecord['status'];
  actor: string;
  at: Date;
  incident_id: string | null;
  token: string;
}

export function toFlagSwitch(row: FlagSwitchRow): FlagSwitchRecord {
  return {
    service: row.service,
    flag: row.flag,
    state: row.state,
    status: row.status,
    actor: row.actor,
    at: row.at,
    ...(row.incident_id ? { incidentId: row.incident_id } : {}),
  };
}

/**
 * Takes the row unless a fresh claim holds it or (without `force`) the last switch done already set this state;
 * returns the new token only when it took it.
 */
export function claimFlagSwitch(claim: FlagSwitchClaim): Query {
  return {
    text: `INSERT INTO flag_switches AS f (service, flag, state, status, actor, at, incident_id, token)
           VALUES ($1, $2, $3, 'switching', $4, $5, $6, gen_random_uuid()::text)
           ON CONFLICT (service, flag) DO UPDATE
             SET state = EXCLUDED.state, status = 'switching', actor = EXCLUDED.actor, at = EXCLUDED.at,
                 incident_id = EXCLUDED.incident_id, token = EXCLUDED.token
             WHERE (f.status <> 'switching' OR f.at < $7)
               AND ($8 OR NOT (f.status = 'done' AND f.state = EXCLUDED.state))
           RETURNING token`,
    values: [
      claim.service,
      claim.flag,
      claim.state,
      claim.actor,
      claim.at,
      claim.incidentId ?? null,
      claim.staleBefore,
      claim.force,
    ],
  };
}

export const selectFlagSwitch = (service: string, flag: string): Query => ({
  text: 'SELECT * FROM flag_switches WHERE service = $1 AND flag = $2',
  values: [service, flag],
});

export function endFlagSwitch(end: {
  service: string;
  flag: string;
  token: string;
  status: 'done' | 'failed';
  at: Date;
}): Query {
  return {
    text: `UPDATE flag_switches SET status = $4, at = $5
           WHERE service = $1 AND flag = $2 AND token = $3 AND status = 'switching'`,
    values: [end.service, end.flag, end.token, end.status, end.at],
  };
}

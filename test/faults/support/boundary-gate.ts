/**
 * Stops the real bot process exactly at a boundary between two of its writes
 * to an incident's durable record (incidents, steps, timeline, and the
 * outcome message stored for its thread), so a test can
 * kill it there. A trigger in the test's own database counts the transactions
 * that write a service's rows; once `allowed` of them have committed, the
 * next one waits on an advisory lock the test holds. The bot then stands
 * still with exactly `allowed` transactions done, and SIGKILL lands at that
 * boundary. Each transaction's writes are logged, so a reference run lists
 * every boundary of a rollback without the test naming them.
 */
import { Client } from 'pg';

/** An advisory key apart from the bot's own key spaces. */
const LOCK: readonly [number, number] = [7707, 8];

const SCHEMA = `
CREATE TABLE fault_gate (
  service    text PRIMARY KEY,
  allowed    integer NOT NULL,
  seen       integer NOT NULL DEFAULT 0,
  last_xact  xid8,
  log        jsonb NOT NULL DEFAULT '[]'
);

CREATE FUNCTION fault_gate() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  svc text;
  gate fault_gate%ROWTYPE;
  what text;
BEGIN
  -- A lease heartbeat changes only lease_expires_at: not a boundary of the durable record.
  IF TG_TABLE_NAME = 'steps' AND TG_OP = 'UPDATE' AND to_jsonb(OLD) - 'lease_expires_at' = to_jsonb(NEW) -
    'lease_expires_at' THEN
    RETURN NEW;
  END IF;
  IF TG_TABLE_NAME = 'incidents' THEN
    svc := NEW.service;
    what := 'incident ' || NEW.state;
  ELSIF TG_TABLE_NAME = 'slack_outbox' THEN
    SELECT service INTO svc FROM incidents WHERE id = split_part(NEW.key, ':', 2);
    what := 'outbox ' || split_part(NEW.key, ':', 3);
  ELSIF TG_TABLE_NAME = 'steps' THEN
    SELECT service INTO svc FROM incidents WHERE id = NEW.incident_id;
    what := 'step ' || NEW.position || ' ' || NEW.kind || ' ' || NEW.state || CASE WHEN NEW.claimed_by IS NULL THEN ''
      ELSE ' (claimed)' END;
  ELSE
    svc := COALESCE(NEW.service, (SELECT service FROM incidents WHERE id = NEW.incident_id));
    what := 'timeline ' || NEW.kind || COALESCE(' ' || (NEW.data ->> 'to'), '');
  END IF;
  SELECT * INTO gate FROM fault_gate WHERE service = svc FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NEW;
  END IF;
  IF gate.last_xact IS DISTINCT FROM pg_current_xact_id() THEN
    IF gate.seen >= gate.allowed THEN
      PERFORM pg_advisory_xact_lock_shared(${LOCK[0]}, ${LOCK[1]});
    END IF;
    UPDATE fault_gate SET seen = seen + 1, last_xact = pg_current_xact_id(), log = log ||
      jsonb_build_array(jsonb_build_array(what)) WHERE service = svc;
  ELSE
    UPDATE fault_gate SET log = jsonb_set(log, ARRAY[(jsonb_array_length(log) - 1)::text], (log -> -1) ||
      to_jsonb(what)) WHERE service = svc;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER fault_gate BEFORE INSERT OR UPDATE ON incidents FOR EACH ROW EXECUTE FUNCTION fault_gate();
CREATE TRIGGER fault_gate BEFORE INSERT OR UPDATE ON steps FOR EACH ROW EXECUTE FUNCTION fault_gate();
CREATE TRIGGER fault_gate BEFORE INSERT ON timeline FOR EACH ROW EXECUTE FUNCTION fault_gate();
CREATE TRIGGER fault_gate BEFORE INSERT OR UPDATE ON slack_outbox FOR EACH ROW WHEN (NEW.key LIKE 'incident:%:outcome')
  EXECUTE FUNCTION fault_gate();
`;

export interface BoundaryGate {
  /** Lets `allowed` transactions of the service through, then holds the next one. */
  arm(service: string, allowed: number): Promise<void>;
  disarm(service: string): Promise<void>;
  /** Each committed transaction of the service since arming: the writes it made, in order. */
  log(service: string): Promise<string[][]>;
  /** True while a transaction of the bot waits at the gate. */
  holding(): Promise<boolean>;
  /** The test's own backends, which must survive when the bot's are cut off. */
  readonly ownPids: number[];
  close(): Promise<void>;
}

/** Installs the gate in the bot's database (after its migrations ran) and takes the lock. */
export async function installBoundaryGate(databaseUrl: string): Promise<BoundaryGate> {
  const sql = new Client({ connectionString: databaseUrl });
  const holder = new Client({ connectionString: databaseUrl });
  await Promise.all([sql.connect(), holder.connect()]);
  await sql.query(SCHEMA);
  await holder.query('SELECT pg_advisory_lock($1, $2)', [...LOCK]);
  const pids = await Promise.all(
    [sql, holder].map(async (c) =>
      Number((await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid),
    ),
  );
  return {
    arm: async (service, allowed) => {
      await sql.query(
        `INSERT INTO fault_gate (service, allowed) VALUES ($1, $2)
         ON CONFLICT (service) DO UPDATE SET allowed = $2, seen = 0, last_xact = NULL, log = '[]'`,
        [service, allowed],
      );
    },
    disarm: async (service) => {
      await sql.query('DELETE FROM fault_gate WHERE service = $1', [service]);
    },
    log: async (service) =>
      (await sql.query<{ log: string[][] }>('SELECT log FROM fault_gate WHERE service = $1', [service])).rows[0]?.log ??
      [],
    holding: async () =>
      Number(
        (
          await sql.query<{ n: string }>(
            "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 " +
              'AND objid = $2 AND NOT granted',
            [...LOCK],
          )
        ).rows[0]?.n,
      ) > 0,
    ownPids: pids,
    close: async () => {
      await Promise.all([sql.end(), holder.end()]);
    },
  };
}

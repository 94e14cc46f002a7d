/**
 * The database-write probe: commits one row to the app's probe table and
 * deletes it again, each statement in its own (auto-committed) transaction.
 * A rolled-back insert would not prove that data can be saved; this does.
 * The table must accept `INSERT … DEFAULT VALUES`, e.g.
 *   CREATE TABLE rollback_bot_write_probe (id bigserial PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now());
 */
import { Client } from 'pg';

interface WriteProbeOutcome {
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly error?: string;
}

export type WriteProbe = (databaseUrl: string, table: string, timeoutMs: number) => Promise<WriteProbeOutcome>;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** `schema.table` or `table` as a quoted identifier, or undefined when it is not a plain name. */
function quoteTable(name: string): string | undefined {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p))) return undefined;
  return parts.map((p) => `"${p}"`).join('.');
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // The URL (with its password) must never reach the results or the logs.
  return message.replace(/postgres(ql)?:\/\/\S+/g, 'postgres://…');
}

export const pgWriteProbe: WriteProbe = async (databaseUrl, table, timeoutMs) => {
  const quoted = quoteTable(table);
  if (!quoted) return { ok: false, latencyMs: 0, error: `"${table}" is not a plain table name` };
  const started = performance.now();
  const client = new Client({
    connectionString: databaseUrl,
    application_name: 'rollback-bot write probe',
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs,
  });
  // A swallowed 'error' event: a server that drops the connection mid-probe is a failed probe, not a crash.
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  const work = (async () => {
    await client.connect();
    const inserted = await client.query<{ ctid: string }>(
      `INSERT INTO ${quoted} DEFAULT VALUES RETURNING ctid::text AS ctid`,
    );
    const ctid = inserted.rows[0]?.ctid;
    if (ctid === undefined) throw new Error('the insert returned no row');
    await client.query(`DELETE FROM ${quoted} WHERE ctid = $1::tid`, [ctid]);
  })();
  // Whichever loses the race must not surface later as an unhandled rejection.
  work.catch(() => undefined);
  deadline.catch(() => undefined);
  try {
    await Promise.race([work, deadline]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    const text = describe(error);
    const timedOut = /timeout|timed out|canceling statement/i.test(text);
    return {
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      error: timedOut && !text.startsWith('timed out') ? `timed out after ${timeoutMs} ms (${text})` : text,
    };
  } finally {
    clearTimeout(timer);
    await client.end().catch(() => undefined);
  }
};

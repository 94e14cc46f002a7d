/**
 * The only module that holds a pg pool. Everything else passes queries as
 * data ({ text, values }) to a Db.
 */
import { Pool, type PoolClient, type QueryResultRow } from 'pg';
import type { Logger } from '../logger';
import { RollbackError } from '../rollback/errors';

export interface Query {
  readonly text: string;
  readonly values?: readonly unknown[];
}

export interface Db {
  query<R extends QueryResultRow = QueryResultRow>(query: Query): Promise<R[]>;
  /** Runs fn in one transaction on one connection; rolls back if fn throws. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** Runs fn on one connection (for session-level advisory locks). */
  withClient<T>(fn: (client: Db) => Promise<T>): Promise<T>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** pg error codes that mean "the server is not there right now". */
const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08006',
  '08001',
  '08003',
]);

/** PostgreSQL's class 53 "insufficient resources": disk full, out of memory, too many connections. */
const OUT_OF_SPACE = '53100';

function toStoreError(error: unknown): RollbackError {
  const code = (error as { code?: string }).code;
  if (code === OUT_OF_SPACE) {
    return new RollbackError(
      'unavailable',
      "The bot's database is out of disk space (PostgreSQL: No space left on device).",
      {
        cause: error,
        retryable: true,
        details: { storeRefusedWrite: 'disk_full' },
        fix: "Free space on the database server's disk (or grow its volume), then try again.",
      },
    );
  }
  if (code && CONNECTION_ERRORS.has(code)) {
    return new RollbackError('unavailable', 'The bot cannot reach its database.', {
      cause: error,
      retryable: true,
      fix: 'Try again in a minute; if it lasts, check that PostgreSQL is up and DATABASE_URL is right.',
    });
  }
  if (
    error instanceof Error &&
    /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|not queryable/.test(
      error.message,
    )
  ) {
    return new RollbackError('unavailable', 'The bot cannot reach its database.', {
      cause: error,
      retryable: true,
      fix: 'Try again in a minute.',
    });
  }
  return error instanceof RollbackError
    ? error
    : new RollbackError('internal', (error as Error).message, { cause: error });
}

function clientDb(client: PoolClient): Db {
  const db: Db = {
    query: async <R extends QueryResultRow>(q: Query) => {
      try {
        return (await client.query<R>(q.text, q.values as unknown[] | undefined)).rows;
      } catch (error) {
        throw toStoreError(error);
      }
    },
    transaction: async (fn) => {
      await db.query({ text: 'BEGIN' });
      try {
        const result = await fn(db);
        await db.query({ text: 'COMMIT' });
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    },
    withClient: (fn) => fn(db),
    ping: async () => (await db.query({ text: 'SELECT 1' })).length === 1,
    close: async () => undefined,
  };
  return db;
}

export function createDb(connectionString: string, logger: Logger, max = 10): Db {
  const pool = new Pool({ connectionString, max, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
  // An idle client losing its server must not crash the process: pg emits it here.
  pool.on('error', (error) =>
    logger.warn({ err: error }, 'database connection lost; it will be re-opened on next use'),
  );

  const withClient = async <T>(fn: (client: Db) => Promise<T>): Promise<T> => {
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw toStoreError(error);
    }
    let broken = false;
    // pg leaves 'error' unhandled on a checked-out client: a held connection the server drops
    // between two queries (a restart, while a step holds its service lock) would end the process.
    const lost = (error: Error): void => {
      broken = true;
      logger.warn({ err: error }, 'database connection lost while in use; the work on it fails and it is replaced');
    };
    client.on('error', lost);
    try {
      return await fn(clientDb(client));
    } catch (error) {
      broken ||= toStoreError(error).code === 'unavailable';
      throw error;
    } finally {
      client.removeListener('error', lost);
      client.release(broken);
    }
  };

  return {
    query: async <R extends QueryResultRow>(q: Query) => {
      try {
        return (await pool.query<R>(q.text, q.values as unknown[] | undefined)).rows;
      } catch (error) {
        throw toStoreError(error);
      }
    },
    transaction: (fn) => withClient((client) => client.transaction(fn)),
    withClient,
    ping: async () => {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    close: () => pool.end(),
  };
}

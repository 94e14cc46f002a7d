/**
 * DATABASE_URL when set; otherwise the embedded server under the data folder,
 * with the same SQL. Migrations are applied either way. The embedded server is
 * watched: if it dies, the bot says so (health fails) and starts it again on
 * the same port and folder.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import type { Logger } from '../logger';
import { RollbackError } from '../rollback/errors';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded';
import { migrate } from './migrate';
import { type Db, createDb } from './pool';

interface OpenDatabase {
  db: Db;
  /** The server URL the bot's store lives on: shadow databases for schema plans are made there. */
  url: string;
  embedded?: EmbeddedPostgres;
  /** False while the embedded server the bot owns is down (always true with DATABASE_URL). */
  serverAlive(): boolean;
  /**
   * Another pool on the same database, closed with this one. The scheduler holds
   * one connection per running job for its advisory lock; giving it its own pool
   * keeps those from starving the jobs' own queries and the incident runner.
   */
  extraPool(max: number): Db;
  close(): Promise<void>;
}

interface OpenOptions {
  databaseUrl?: string;
  dataDir: string;
  migrate?: boolean;
  /** ROLLBACK_SERVER_DIR: where, as root, the server's files go when the data folder is private. */
  serverDir?: string;
}

/** The data folder must be writable by the user the bot runs as: say which user, not EACCES. */
function ensureWritableFolder(dir: string): void {
  const path = resolve(dir);
  try {
    mkdirSync(path, { recursive: true });
    accessSync(path, constants.W_OK | constants.X_OK);
  } catch (error) {
    const me = userInfo();
    throw new RollbackError(
      'config_invalid',
      `The data folder ${path} is not writable by the user the bot runs as ` +
        `(${me.username}, uid ${me.uid}): ` +
        `${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
      {
        cause: error,
        fix:
          `Give that user write access (chown ${me.uid} ${path}), or set ROLLBACK_DATA_DIR ` +
          `to a folder it can write. In Docker the image runs as "node" (uid 1000): the ` +
          `volume at /data must be writable by uid 1000.`,
      },
    );
  }
}

/** Fails with the host and port when the server of DATABASE_URL does not answer. */
async function checkReachable(url: string): Promise<void> {
  const parsed = new URL(url);
  const where = `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`;
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    const cause = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new RollbackError('unavailable', `Cannot reach the database of DATABASE_URL at ${where} (${cause}).`, {
      cause: error,
      retryable: true,
      fix:
        'Check that PostgreSQL runs there and accepts connections from this machine, or ' +
        'unset DATABASE_URL to use the embedded server.',
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Restarts the embedded server when it dies, on the same port so open pools reconnect. */
function supervise(
  first: EmbeddedPostgres,
  options: OpenOptions,
  logger: Logger,
): { current(): EmbeddedPostgres; stop(): Promise<void> } {
  let current = first;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const watch = (server: EmbeddedPostgres): void =>
    server.onUnexpectedExit((why) => {
      logger.error({ dataDir: server.dataDir, port: server.port }, `embedded PostgreSQL ${why}`);
      const restart = (delayMs: number): void => {
        timer = setTimeout(() => {
          if (closed) return;
          void server.stop().then(async () => {
            try {
              const restarted = await startEmbeddedPostgres({
                dataDir: server.dataDir,
                port: server.port,
                serverDir: options.serverDir,
              });
              if (closed) {
                await restarted.stop();
                return;
              }
              current = restarted;
              logger.warn({ port: current.port }, 'embedded PostgreSQL restarted');
              watch(current);
            } catch (error) {
              logger.error({ err: error }, 'embedded PostgreSQL could not be restarted; trying again');
              restart(Math.min(delayMs * 2, 30_000));
            }
          });
        }, delayMs);
      };
      restart(500);
    });
  watch(first);
  return {
    current: () => current,
    stop: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      await current.stop();
    },
  };
}

export async function openDatabase(options: OpenOptions, logger: Logger): Promise<OpenDatabase> {
  let supervised: ReturnType<typeof supervise> | undefined;
  let url = options.databaseUrl;
  if (url) {
    await checkReachable(url);
  } else {
    ensureWritableFolder(options.dataDir);
    const embedded = await startEmbeddedPostgres({
      dataDir: join(options.dataDir, 'postgres'),
      serverDir: options.serverDir,
    });
    for (const note of embedded.notes) logger.info({ dataDir: embedded.dataDir }, `embedded PostgreSQL: ${note}`);
    url = embedded.url;
    logger.info(
      { dataDir: embedded.dataDir, serverDataDir: embedded.serverDataDir, port: embedded.port },
      'embedded PostgreSQL started (DATABASE_URL is not set)',
    );
    supervised = supervise(embedded, options, logger);
  }
  const db = createDb(url, logger);
  try {
    if (options.migrate !== false) await migrate(db, logger);
  } catch (error) {
    await db.close();
    await supervised?.stop();
    throw error;
  }
  const extras: Db[] = [];
  const databaseUrl = url;
  return {
    db,
    url: databaseUrl,
    get embedded() {
      return supervised?.current();
    },
    serverAlive: () => supervised?.current().running() ?? true,
    extraPool: (max) => {
      const extra = createDb(databaseUrl, logger, max);
      extras.push(extra);
      return extra;
    },
    close: async () => {
      for (const extra of extras) await extra.close();
      await db.close();
      await supervised?.stop();
    },
  };
}

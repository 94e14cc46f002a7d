/**
 * DATABASE_URL when set; otherwise the embedded server under the data folder,
 * with the same SQL. Migrations are applied either way.
 */
import { join } from 'node:path';
import type { Logger } from '../logger';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded';
import { migrate } from './migrate';
import { type Db, createDb } from './pool';

export interface OpenDatabase {
  db: Db;
  embedded?: EmbeddedPostgres;
  /**
   * Another pool on the same database, closed with this one. The scheduler holds
   * one connection per running job for its advisory lock; giving it its own pool
   * keeps those from starving the jobs' own queries and the incident runner.
   */
  extraPool(max: number): Db;
  close(): Promise<void>;
}

export async function openDatabase(
  options: { databaseUrl?: string; dataDir: string; migrate?: boolean },
  logger: Logger,
): Promise<OpenDatabase> {
  let embedded: EmbeddedPostgres | undefined;
  let url = options.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: join(options.dataDir, 'postgres') });
    url = embedded.url;
    logger.info({ dataDir: embedded.dataDir, port: embedded.port }, 'embedded PostgreSQL started (DATABASE_URL is not set)');
  }
  const db = createDb(url, logger);
  try {
    if (options.migrate !== false) await migrate(db, logger);
  } catch (error) {
    await db.close();
    await embedded?.stop();
    throw error;
  }
  const extras: Db[] = [];
  const databaseUrl = url;
  return {
    db,
    embedded,
    extraPool: (max) => {
      const extra = createDb(databaseUrl, logger, max);
      extras.push(extra);
      return extra;
    },
    close: async () => {
      for (const extra of extras) await extra.close();
      await db.close();
      await embedded?.stop();
    },
  };
}

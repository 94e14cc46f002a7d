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
  return {
    db,
    embedded,
    close: async () => {
      await db.close();
      await embedded?.stop();
    },
  };
}

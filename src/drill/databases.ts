/**
 * The drill's PostgreSQL: the embedded server under the drill's folder, or the
 * server of DATABASE_URL when it is set. Either way the drill makes two
 * databases of its own on it (the bot's store and the scratch app's data) and
 * drops them when it is done; the database DATABASE_URL names is never used.
 */
import { Client } from 'pg';
import { RollbackError } from '../rollback/errors';
import { embeddedBinDir, startEmbeddedPostgres } from '../store/embedded';
import { join } from 'node:path';
import { scrubSecrets } from '../logger';

export interface DrillDatabases {
  /** A connection to the server's maintenance database: shadow databases are made through it. */
  readonly serverUrl: string;
  readonly botUrl: string;
  readonly appUrl: string;
  /** One line saying where the data is, for --keep. */
  readonly where: string;
  /** Drops the drill's databases and stops a server the drill started; with keep, leaves both. */
  close(keep: boolean): Promise<void>;
}

function urlFor(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl, application_name: 'rollback-bot drill' });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** `withApp: false` makes only the bot's store (the staging drill uses the service's own app database). */
export async function openDrillDatabases(options: {
  databaseUrl?: string;
  dataDir: string;
  runId: string;
  withApp?: boolean;
}): Promise<DrillDatabases> {
  const withApp = options.withApp !== false;
  if (options.databaseUrl) {
    const serverUrl = options.databaseUrl;
    const names = { bot: `rollback_drill_${options.runId}_bot`, app: `rollback_drill_${options.runId}_app` };
    try {
      await admin(serverUrl, `CREATE DATABASE "${names.bot}"`);
      if (withApp) await admin(serverUrl, `CREATE DATABASE "${names.app}"`);
    } catch (error) {
      await admin(serverUrl, `DROP DATABASE IF EXISTS "${names.bot}" WITH (FORCE)`).catch(() => undefined);
      throw new RollbackError(
        'unavailable',
        `The drill could not make its scratch databases on the server of DATABASE_URL: ` +
          `${scrubSecrets((error as Error).message)}`,
        {
          cause: error,
          fix: 'Give a DATABASE_URL whose user may CREATE DATABASE, or unset DATABASE_URL to use the embedded server.',
        },
      );
    }
    return {
      serverUrl,
      botUrl: urlFor(serverUrl, names.bot),
      appUrl: urlFor(serverUrl, names.app),
      where:
        `database ${names.bot} (the bot's ` +
        `store)${withApp ? ` and ${names.app} (the scratch app)` : ''} on the server of ` +
        `DATABASE_URL`,
      close: async (keep) => {
        if (keep) return;
        for (const name of withApp ? [names.bot, names.app] : [names.bot])
          await admin(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      },
    };
  }
  const server = await startEmbeddedPostgres({ dataDir: options.dataDir });
  try {
    await admin(server.url, 'CREATE DATABASE rollback_bot');
    if (withApp) await admin(server.url, 'CREATE DATABASE clinical_os');
  } catch (error) {
    await server.discard();
    throw error;
  }
  return {
    serverUrl: server.url,
    botUrl: urlFor(server.url, 'rollback_bot'),
    appUrl: urlFor(server.url, 'clinical_os'),
    where:
      `embedded PostgreSQL still running at ${server.url.replace(/\/postgres$/, '')} ` +
      `(databases rollback_bot${withApp ? ' and clinical_os' : ''}); stop it with: ` +
      `${join(embeddedBinDir(), 'pg_ctl')} -D ${server.dataDir} stop (as the folder's ` +
      `owner)`,
    // Its files go with it, also when (as root, from a private folder) they were kept outside the drill's folder.
    close: async (keep) => {
      if (!keep) await server.discard();
    },
  };
}

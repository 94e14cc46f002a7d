/**
 * The shadow database: the migrations before the one being rolled back,
 * replayed into a scratch database, so the inverse knows the schema as it
 * was. The scratch database is made per plan on a server that already runs
 * (the bot's own, or else the app database's server) and dropped after it:
 * the bot starts no server of its own for this.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { RollbackError } from '../../rollback/errors';

export interface ShadowOptions {
  /** The server to make scratch databases on (the bot's own); default: the app database's server. */
  readonly serverUrl?: string;
}

/** Where this plan's scratch database goes: the given server, else the server of the app database being planned. */
export async function shadowServerUrl(options: ShadowOptions = {}, appDatabaseUrl?: string): Promise<string> {
  const url = options.serverUrl ?? appDatabaseUrl;
  if (!url) {
    throw new RollbackError('config_invalid', 'No PostgreSQL server to make the shadow database on.', {
      fix: "Give the schema adapter the bot's database server (shadow.serverUrl).",
    });
  }
  return url;
}

interface ShadowDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createShadowDatabase(serverUrl: string): Promise<ShadowDatabase> {
  const name = `rollback_shadow_${randomBytes(6).toString('hex')}`;
  try {
    await admin(serverUrl, `CREATE DATABASE "${name}"`);
  } catch (error) {
    const server = new URL(serverUrl);
    throw new RollbackError(
      'unavailable',
      `Could not make the shadow database on ${server.hostname}:${server.port || '5432'}: ${(error as Error).message}`,
      {
        cause: error,
        fix: "The bot's database user needs CREATEDB (ALTER ROLE … CREATEDB) to plan schema rollbacks on its server.",
      },
    );
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/**
 * The shadow database: the migrations before the one being rolled back,
 * replayed into a throwaway database, so the inverse knows the schema as it
 * was. One embedded server per process (started on first use), a new
 * database per plan; or an injected server URL.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../store/embedded';

let embedded: Promise<EmbeddedPostgres> | undefined;

export interface ShadowOptions {
  /** A server to create shadow databases on; default: an embedded server started once per process. */
  readonly serverUrl?: string;
  /** Data folder for the embedded server. */
  readonly dataDir?: string;
}

export async function shadowServerUrl(options: ShadowOptions = {}): Promise<string> {
  if (options.serverUrl) return options.serverUrl;
  embedded ??= startEmbeddedPostgres({ dataDir: options.dataDir ?? join(tmpdir(), `rollback-bot-shadow-${process.pid}`) });
  return (await embedded).url;
}

/** Stops the embedded shadow server if this process started one. */
export async function stopShadowServer(): Promise<void> {
  const running = embedded;
  embedded = undefined;
  if (running) await (await running).stop();
}

export interface ShadowDatabase {
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
  await admin(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/**
 * A fresh, real PostgreSQL database per test file on the run's server
 * (see global-setup.ts). Usage:
 *   const db = testDatabase('store');   // at the top of a describe
 *   beforeAll(db.create); afterAll(db.drop);
 *   ... db.url ...
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests through jest (global-setup starts a server).');
  return url;
}

export function urlForDatabase(name: string, base = serverUrl()): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  create(): Promise<void>;
  drop(): Promise<void>;
}

export function testDatabase(label: string): TestDatabase {
  const safe = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
  const name = `rbt_${safe}_${randomBytes(4).toString('hex')}`;
  return {
    name,
    url: urlForDatabase(name),
    create: () => adminQuery(`CREATE DATABASE "${name}"`),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/** One connection of its own for `fn`, closed after. */
export async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The rows of one query on its own connection, for checks on what a test left in a database. */
export async function rows<T>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  return withClient(url, async (client) => (await client.query(sql, values)).rows as T[]);
}

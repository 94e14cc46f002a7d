/**
 * One real PostgreSQL server for the whole run: TEST_DATABASE_URL when set
 * (CI points it at the machine's server), otherwise a throwaway embedded
 * server in a temporary folder. Each test file then makes its own database
 * (see database.ts). Workers inherit the URL through the environment.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../src/store/embedded';

export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) return;
  const dir = mkdtempSync(join(tmpdir(), 'rollback-bot-test-pg-'));
  const server = await startEmbeddedPostgres({ dataDir: join(dir, 'data') });
  process.env.TEST_DATABASE_URL = server.url;
  process.env.ROLLBACK_TEST_EMBEDDED_DIR = dir;
  (globalThis as { __embeddedPostgres__?: unknown }).__embeddedPostgres__ = server;
}

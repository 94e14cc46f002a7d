import { rmSync } from 'node:fs';
import type { EmbeddedPostgres } from '../../src/store/embedded';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __embeddedPostgres__?: EmbeddedPostgres }).__embeddedPostgres__;
  if (!server) return;
  await server.discard();
  const dir = process.env.ROLLBACK_TEST_EMBEDDED_DIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/**
 * The bot's own record of its progressive releases, as the incident engine
 * reads it (src/store/release-store.ts): a rollback that names no target
 * during a release goes to the release's base. Read from PostgreSQL, so it
 * holds across restarts and replicas without asking the platform.
 */
import type { ReleaseUnderWay } from '../last-known-good/rollback-target';

export interface LiveReleases {
  /** The service's release under way (not aborted or completed), if any. */
  live(service: string): Promise<ReleaseUnderWay | undefined>;
}

/**
 * The progressive rollouts' records in PostgreSQL. A change is a compare-and-
 * set on the row's version: when another replica moved the release first, the
 * change is not written and the caller reads the release again.
 */
import type { Release } from '../rollback/release/release';
import { RollbackError } from '../rollback/errors';
import type { Db } from './pool';
import {
  type ReleaseRow,
  type StoredRelease,
  fromRow,
  insertRelease,
  latestRelease,
  liveRelease,
  liveReleases,
  releaseById,
  releasesSince,
  updateRelease,
} from './queries/releases';

export type { StoredRelease };

export interface ReleaseStore {
  /** Stores a new release; a conflict when the service already has one under way. */
  create(release: Release): Promise<StoredRelease>;
  /** Writes the change; undefined when the release changed since it was read. */
  save(release: StoredRelease): Promise<StoredRelease | undefined>;
  byId(id: string): Promise<StoredRelease | undefined>;
  live(service: string): Promise<StoredRelease | undefined>;
  latest(service: string): Promise<StoredRelease | undefined>;
  allLive(): Promise<StoredRelease[]>;
  since(since: Date, service?: string): Promise<StoredRelease[]>;
}

export function createReleaseStore(db: Db): ReleaseStore {
  const one = async (q: Parameters<Db['query']>[0]) => {
    const [row] = await db.query<ReleaseRow & Record<string, unknown>>(q);
    return row ? fromRow(row) : undefined;
  };
  return {
    async create(release) {
      const stored = await one(insertRelease(release));
      if (!stored) {
        throw new RollbackError('conflict', `${release.service} already has a release under way.`, {
          fix: `See it with /rollout status ${release.service}; abort it first to start another.`,
        });
      }
      return stored;
    },
    save: (release) => one(updateRelease(release)),
    byId: (id) => one(releaseById(id)),
    live: (service) => one(liveRelease(service)),
    latest: (service) => one(latestRelease(service)),
    allLive: async () => (await db.query<ReleaseRow & Record<string, unknown>>(liveReleases())).map(fromRow),
    since: async (since, service) =>
      (await db.query<ReleaseRow & Record<string, unknown>>(releasesSince(since, service))).map(fromRow),
  };
}

/**
 * A GitHub-protected world: the incident world (bot, Slack and Vercel
 * stand-ins, real git origin, PostgreSQL) whose origin is served by the
 * GitHub stand-in with branch protection on main, and a service that
 * reverts through pull requests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/logger';
import { GitHubAccess } from '../../src/github/github-access';
import { type GitHubStandin, startGitHubStandin } from '../../src/standins/github/server';
import type { Protection, StandinRepo } from '../../src/standins/github/state';
import { testDatabase } from '../support/database';
import { type World, startWorld } from '../support/incident-world';
import { waitFor } from '../support/wait';

export const OWNER = 'dr-amal';
export const REPO = 'clinical-os';

interface GitHubWorld {
  readonly world: World;
  readonly github: GitHubStandin;
  readonly repo: StandinRepo;
}

export function useGitHubWorld(
  label: string,
  options: {
    merge: 'auto' | 'immediate' | 'manual';
    protection?: Partial<Protection>;
    service?: Record<string, unknown>;
  },
): { readonly current: GitHubWorld } {
  const database = testDatabase(label);
  const dataDir = mkdtempSync(join(tmpdir(), 'rollback-bot-github-'));
  let current: GitHubWorld | undefined;
  beforeAll(async () => {
    await database.create();
    const github = await startGitHubStandin({ token: 'ghp_worldtoken' });
    const access = new GitHubAccess({
      env: { GITHUB_TOKEN: 'ghp_worldtoken' },
      apiUrl: github.url,
      logger: silentLogger,
    });
    const world = await startWorld({
      databaseUrl: database.url,
      env: { GITHUB_API_URL: github.url, GITHUB_TOKEN: 'ghp_worldtoken', ROLLBACK_DATA_DIR: dataDir },
      service: {
        ...options.service,
        git: {
          github: { owner: OWNER, repo: REPO, tokenEnv: 'GITHUB_TOKEN' },
          via: 'pull-request',
          merge: options.merge,
          ...(options.service?.git as object | undefined),
        },
      },
      code: { pullRequests: (service) => access.pullRequests(service), pullRequestPollMs: 50 },
    });
    const repo = github.addRepo(OWNER, REPO, world.git.origin);
    repo.protect('main', options.protection);
    current = { world, github, repo };
  });
  afterAll(async () => {
    await current?.world.stop();
    await current?.github.stop();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    get current(): GitHubWorld {
      if (!current) throw new Error('the world starts in beforeAll');
      return current;
    },
  };
}

/** Vercel's git integration: once main moves past `from`, the new head becomes a production build. */
export async function buildWhenMainMoves(world: World, from: string, version: string): Promise<string> {
  const head = await waitFor(
    'the merge to reach main',
    async () => {
      const sha = world.git.originHead();
      return sha !== from ? sha : undefined;
    },
    20_000,
  );
  world.vercel.state.pushCommit(head, { version });
  return head;
}

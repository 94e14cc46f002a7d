/**
 * Vercel's git integration, played by the drill: every new head of the
 * scratch repository's deploy branch (the developer's pushes and the bot's
 * revert alike) becomes a production build on the Vercel stand-in. The build
 * runs the app's build command, `prisma migrate deploy && next build`: pending
 * migrations of that commit are applied to the scratch app database, then the
 * deployment builds and, when READY, serves production. The build is followed
 * through the stand-in's REST API, as `vercel inspect --wait` would.
 */
import type { VercelStandin } from '../standins/vercel/server';
import { type MigrationSource, migrateDeploy } from './app-database';
import { BROKEN_ERROR_RATES, MIGRATIONS_DIR, SUMMARIES_FILE, appAt } from './scratch-app';
import type { ScratchRepo } from './scratch-repo';
import { waitUntil } from './wait';

interface Build {
  readonly commit: string;
  readonly version: string;
  readonly broken: boolean;
  readonly migrationsApplied: string[];
  deploymentId?: string;
  state: 'BUILDING' | 'READY' | 'ERROR';
  error?: string;
}

interface GitIntegrationDeps {
  readonly repo: ScratchRepo;
  readonly vercel: VercelStandin;
  readonly teamId: string;
  readonly appDatabaseUrl: string;
  /** One line per build event, for the drill's progress output. */
  readonly note: (line: string) => void;
}

const BUILD_DEADLINE_MS = 30_000;
const WATCH_MS = 150;

export class GitIntegration {
  readonly builds: Build[] = [];
  private lastHead: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly deps: GitIntegrationDeps) {}

  /** Starts watching the deploy branch; heads already there are not built again. */
  async start(): Promise<void> {
    this.lastHead = (await this.deps.repo.originHead()) || undefined;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.check().finally(() => {
        this.running = undefined;
      });
    }, WATCH_MS);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** The build of a commit once it ended (READY or ERROR), or undefined at the deadline. */
  waitForBuild(commit: string, timeoutMs = BUILD_DEADLINE_MS): Promise<Build | undefined> {
    return waitUntil(() => this.builds.find((b) => b.commit === commit && b.state !== 'BUILDING'), timeoutMs);
  }

  private async check(): Promise<void> {
    const head = await this.deps.repo.originHead().catch(() => '');
    if (!head || head === this.lastHead) return;
    this.lastHead = head;
    await this.build(head);
  }

  private async build(commit: string): Promise<void> {
    const { repo, vercel, note } = this.deps;
    const short = commit.slice(0, 7);
    const app = appAt({
      packageJson: await repo.show(commit, 'package.json'),
      summaries: await repo.show(commit, SUMMARIES_FILE),
    });
    const build: Build = { commit, version: app.version, broken: app.broken, migrationsApplied: [], state: 'BUILDING' };
    this.builds.push(build);
    note(
      `Vercel (git integration): ${repo.branch} moved to ${short} ` +
        `"${await repo.subject(commit)}": production build of ${app.version} started`,
    );
    try {
      const applied = await migrateDeploy(this.deps.appDatabaseUrl, await this.migrationsAt(commit));
      build.migrationsApplied.push(...applied);
      note(
        `  build ${short}: prisma migrate deploy: ` +
          `${applied.length > 0 ? `applied ${applied.join(', ')}` : 'no pending migrations'}`,
      );
    } catch (error) {
      build.state = 'ERROR';
      build.error = (error as Error).message;
      note(`  build ${short}: ERROR: ${build.error}`);
      return;
    }
    const deployment = vercel.state.pushCommit(commit, {
      version: app.version,
      commitMessage: await repo.subject(commit),
      app: { errorRate: app.broken ? BROKEN_ERROR_RATES[0] : 0 },
    });
    build.deploymentId = deployment.id;
    // READY is not live: as on Vercel, the production domains follow some polls later (unless production is pinned).
    const final = await waitUntil(async () => {
      const { state, assigned } = await this.readState(deployment.id);
      const pinned = !vercel.state.project.autoAssignCustomDomains;
      return (state === 'READY' && (assigned || pinned)) || state === 'ERROR' ? state : undefined;
    }, BUILD_DEADLINE_MS);
    build.state = final ?? 'ERROR';
    if (!final) build.error = `the build did not finish within ${BUILD_DEADLINE_MS / 1000} s`;
    const live = vercel.state.production()?.id === deployment.id;
    const error = build.error ? ` (${build.error})` : '';
    const serving = live ? `: ${deployment.url} serves production (${app.version})` : '';
    note(`  build ${short}: ${build.state}${error}${serving}`);
  }

  private async migrationsAt(commit: string): Promise<MigrationSource[]> {
    const files = (await this.deps.repo.list(commit, MIGRATIONS_DIR)).filter((path) => path.endsWith('/migration.sql'));
    const out: MigrationSource[] = [];
    for (const path of files) {
      const name = path.slice(MIGRATIONS_DIR.length + 1, -'/migration.sql'.length);
      out.push({ name, sql: (await this.deps.repo.show(commit, path)) ?? '' });
    }
    return out;
  }

  /** Reads the deployment through the REST API (which is also what moves a build along on the stand-in). */
  private async readState(id: string): Promise<{ state: string | undefined; assigned: boolean }> {
    const { vercel, teamId } = this.deps;
    const response = await fetch(
      `${vercel.url}/v13/deployments/${encodeURIComponent(id)}?teamId=${encodeURIComponent(teamId)}`,
      {
        headers: { authorization: `Bearer ${vercel.token}` },
      },
    );
    if (!response.ok) return { state: undefined, assigned: false };
    const body = (await response.json()) as { readyState?: string; aliasAssigned?: boolean };
    return { state: body.readyState, assigned: body.aliasAssigned === true };
  }
}

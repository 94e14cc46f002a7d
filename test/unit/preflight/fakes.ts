/** In-memory ports for the checklist: strict about what they are asked, loud about what they were not built for. */
import type { ServiceConfig } from '../../../src/config/service-schema';
import { ManualClock } from '../../../src/rollback/clock';
import { RollbackError } from '../../../src/rollback/errors';
import type { CommitSha, DeploymentId, MigrationName, ServiceName } from '../../../src/rollback/ids';
import type {
  ApplicationPort,
  DeploymentSummary,
  ProductionStatus,
  ResolvedTarget,
} from '../../../src/rollback/ports/application';
import type { CodeRollbackPort, ExportedMigrations, MigrationsDiff } from '../../../src/rollback/ports/code';
import type {
  MigrationLintPort,
  MigrationLintVerdict,
  PreflightDeps,
  RepoFilesPort,
} from '../../../src/rollback/preflight/ports';
import { exampleService } from '../../support/services';

export const LIVE = 'a'.repeat(40) as CommitSha;
export const CANDIDATE = 'b'.repeat(40) as CommitSha;
export const HEAD = 'c'.repeat(40) as CommitSha;

export function service(overrides: Record<string, unknown> = {}): ServiceConfig {
  return exampleService(overrides);
}

function deployment(id: string, commit: CommitSha | undefined, version?: string): DeploymentSummary {
  return {
    id: id as DeploymentId,
    url: `${id}.vercel.app`,
    target: 'production',
    state: 'READY',
    createdAt: new Date('2026-01-16T10:00:00Z'),
    creator: 'yusuf',
    commitSha: commit,
    commitMessage: undefined,
    version,
    rollbackCandidate: true,
  };
}

const unused = (name: string) => (): never => {
  throw new Error(`the checklist must not call ${name}`);
};

interface FakeWorld {
  deps: PreflightDeps;
  clock: ManualClock;
  /** Migrations per commit (folder names). */
  migrations: Map<string, MigrationName[]>;
  files: Map<string, string>;
  verdicts: Map<string, MigrationLintVerdict>;
  liveCommit: CommitSha | undefined;
  productionError?: Error;
  targetError?: Error;
  linted: { dir: string; migrations: readonly MigrationName[] }[];
  exported: string[];
  cleanedUp: string[];
  fileReads: string[];
}

export function fakeWorld(): FakeWorld {
  const world: FakeWorld = {
    // 23:30 EST on a Friday: inside the default deploy window.
    clock: new ManualClock('2026-01-17T04:30:00Z'),
    migrations: new Map([
      [LIVE, ['20260101000000_init' as MigrationName]],
      [CANDIDATE, ['20260101000000_init' as MigrationName]],
      [HEAD, ['20260101000000_init' as MigrationName]],
    ]),
    files: new Map(),
    verdicts: new Map(),
    liveCommit: LIVE,
    linted: [],
    exported: [],
    cleanedUp: [],
    fileReads: [],
    deps: undefined as unknown as PreflightDeps,
  };
  const known = (commit: CommitSha): MigrationName[] => {
    const found = world.migrations.get(commit);
    if (!found)
      throw new RollbackError('bad_input', `No commit ${commit.slice(0, 7)} in the repository.`, {
        fix: 'Pick a commit from main.',
      });
    return found;
  };
  const application: ApplicationPort = {
    describeProduction: async (): Promise<ProductionStatus> => {
      if (world.productionError) throw world.productionError;
      return {
        current: deployment('dpl_live', world.liveCommit),
        rollbackTarget: undefined,
        pinnedByRollback: false,
        lastAliasRequest: undefined,
      };
    },
    resolveTarget: async (_service: ServiceConfig, spec?: string): Promise<ResolvedTarget> => {
      if (spec !== undefined) throw new Error('the checklist asks for the default target only');
      if (world.targetError) throw world.targetError;
      const target = deployment('dpl_previous', LIVE, '1.9.0');
      return {
        target,
        current: deployment('dpl_live', world.liveCommit),
        matchedBy: 'default',
        alreadyLive: false,
        fromCommit: world.liveCommit,
        toCommit: LIVE,
      };
    },
    moveProduction: unused('moveProduction'),
    reconcile: unused('reconcile'),
    promote: unused('promote'),
    verify: unused('verify'),
    deployCommit: unused('deployCommit'),
  };
  const code: CodeRollbackPort = {
    branchHead: async (_service: ServiceName) => HEAD,
    migrationsBetween: async (_service: ServiceName, from: CommitSha, to: CommitSha): Promise<MigrationsDiff> => {
      const atFrom = known(from);
      const atTo = known(to);
      return { onlyAtFrom: atFrom.filter((m) => !atTo.includes(m)), onlyAtTo: atTo.filter((m) => !atFrom.includes(m)) };
    },
    exportMigrations: async (_service: ServiceName, commit: CommitSha): Promise<ExportedMigrations> => {
      known(commit);
      const dir = `/tmp/export-${commit.slice(0, 7)}`;
      world.exported.push(commit);
      return { dir, commit, cleanup: async () => void world.cleanedUp.push(dir) };
    },
    listCommits: unused('listCommits'),
    revert: unused('revert'),
    reset: unused('reset'),
    findOwnRevert: unused('findOwnRevert'),
    removeMigration: unused('removeMigration'),
  };
  const repoFiles: RepoFilesPort = {
    readFileAt: async (_service, commit, path) => {
      known(commit);
      world.fileReads.push(`${commit.slice(0, 7)}:${path}`);
      return world.files.get(`${commit}:${path}`);
    },
  };
  const linter: MigrationLintPort = {
    lintMigrations: async (dir, migrations) => {
      world.linted.push({ dir, migrations });
      return migrations.map((m) => world.verdicts.get(m) ?? { migration: m, verdict: 'safe' as const, findings: [] });
    },
  };
  world.deps = { application, code, repoFiles, linter, clock: world.clock };
  return world;
}

export function dangerous(migration: string): MigrationLintVerdict {
  return {
    migration: migration as MigrationName,
    verdict: 'dangerous',
    findings: [
      {
        severity: 'dangerous',
        rule: 'drop-column',
        where: `${migration}/migration.sql:3`,
        message: 'users.phone: the running code still reads it',
        fix: 'Stop reading it first.',
      },
    ],
  };
}

export function warning(migration: string): MigrationLintVerdict {
  return {
    migration: migration as MigrationName,
    verdict: 'warning',
    findings: [
      {
        severity: 'warning',
        rule: 'create-index',
        where: `${migration}/migration.sql:1`,
        message: 'index built without CONCURRENTLY',
        fix: 'Use CONCURRENTLY.',
      },
    ],
  };
}

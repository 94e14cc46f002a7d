/**
 * What the pre-deployment checklist needs besides the application and code
 * ports: one file of the repository at a commit (the app's .env.example) and
 * the schema lint's verdict on migration folders. Both are I/O, so the
 * checklist sees them as interfaces and the entry point supplies adapters.
 */
import type { ServiceConfig } from '../../config/service-schema';
import type { Clock } from '../clock';
import type { CommitSha, MigrationName } from '../ids';
import type { ApplicationPort } from '../ports/application';
import type { DeployIdentityCheck } from '../ports/application';
import type { CodeRollbackPort } from '../ports/code';
import type { CommitCheck } from '../ports/pull-request';

export interface RepoFilesPort {
  /** The file's text at `commit`, or undefined when the commit has no such file. */
  readFileAt(service: ServiceConfig, commit: CommitSha, path: string): Promise<string | undefined>;
}

type LintSeverity = 'safe' | 'warning' | 'dangerous';

export interface MigrationLintFinding {
  readonly severity: LintSeverity;
  readonly rule: string;
  /** "<migration>/migration.sql:<line>". */
  readonly where: string;
  readonly message: string;
  readonly fix: string;
}

export interface MigrationLintVerdict {
  readonly migration: MigrationName;
  readonly verdict: LintSeverity;
  readonly findings: readonly MigrationLintFinding[];
}

export interface MigrationLintPort {
  /** Lints the named migration folders under `dir` (an exported migrations folder). */
  lintMigrations(dir: string, migrations: readonly MigrationName[]): Promise<readonly MigrationLintVerdict[]>;
}

/** The candidate commit's CI results (check runs and commit statuses) on the code host. */
export interface CiStatusPort {
  commitChecks(service: ServiceConfig, commit: CommitSha): Promise<readonly CommitCheck[]>;
  /** A web link comparing two commits, for the rollback plan. */
  compareUrl(service: ServiceConfig, from: CommitSha, to: CommitSha): string;
}

export interface PreflightDeps {
  readonly application: ApplicationPort;
  readonly code: CodeRollbackPort;
  readonly repoFiles: RepoFilesPort;
  readonly linter: MigrationLintPort;
  readonly clock: Clock;
  /** Present when the service is on GitHub (git.github): CI status and the rollback plan's link. */
  readonly ci?: CiStatusPort;
  /** Present in the CLI: whether the bot can post incident threads in the service's alerts channel. */
  readonly alertsChannel?: AlertsChannelPort;
}

/** Asks Slack whether the bot is a member of the alerts channel (skip when it cannot be asked). */
export interface AlertsChannelPort {
  checkMembership(service: ServiceConfig): Promise<DeployIdentityCheck>;
}

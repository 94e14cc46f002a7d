/**
 * The CodeRollbackPort over simple-git: the runbook's "Git Revert" section.
 * Option A (revert) is the default; Option B (reset + force-with-lease,
 * reset-with-approval.ts) rewrites history and runs only with a recorded CTO
 * approval for the same incident. The branch's recent history is listed in
 * recent-commits.ts.
 */
import type { ServiceConfig } from '../config/service-schema';
import type { Logger } from '../logger';
import { type Clock, systemClock } from '../rollback/clock';
import { RollbackError, isRollbackError } from '../rollback/errors';
import { type CommitSha, type IncidentId, type ServiceName, parseMigrationName } from '../rollback/ids';
import type {
  CodeRollbackPort,
  CommitSummary,
  ExportedMigrations,
  ListCommitsInput,
  MigrationsDiff,
  OwnRevert,
  PushedCommit,
  RemoveMigrationInput,
  ResetInput,
  ResetResult,
  RevertInput,
  RevertResult,
} from '../rollback/ports/code';
import { checkIncidentId, removeMigrationMessage, revertMessage } from './commit-message';
import { diffMigrations, exportMigrationsAt, migrationsDirOf, stageMigrationRemoval } from './migrations';
import { pushWithOneRedo } from './push-with-redo';
import { planRevert } from './revert-plan';
import { commitStaged, ownCommits, revertInOneCommit } from './revert-commits';
import { WorkingClone } from './working-clone';
import type { PullRequestHost } from '../rollback/ports/pull-request';
import { revertViaPullRequest } from './revert-via-pull-request';
import { listRecentCommits } from './recent-commits';
import { resetWithApproval } from './reset-with-approval';

export interface GitCodeRollbackOptions {
  readonly services: readonly ServiceConfig[];
  /** One working clone per service is kept under this folder (one folder per replica). */
  readonly workspaceDir: string;
  readonly logger: Logger;
  /** Where git.tokenEnv / git.sshKeyEnv are read; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** A git command silent this long is killed; default 120 s. */
  readonly commandTimeoutMs?: number;
  /** The adapter's clock (revert pull requests' waits); default the system clock. */
  readonly clock?: Clock;
  /** The code host of a service with git.via: pull-request (GitHub); built from git.github by the wiring. */
  readonly pullRequests?: (service: ServiceConfig) => PullRequestHost;
  /** How often a revert pull request is read while it waits to be merged (default 10 s). */
  readonly pullRequestPollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export class GitCodeRollback implements CodeRollbackPort {
  private readonly clones = new Map<string, WorkingClone>();
  private readonly options: GitCodeRollbackOptions;
  /** Services whose git credential variable is unset, with the error their git rollbacks refuse with. */
  private readonly unavailable = new Map<string, RollbackError>();
  private readonly clock: Clock;
  private readonly hosts = new Map<string, PullRequestHost>();

  /** Checks every service's git settings and credentials variables now (no I/O), so a bad config fails at start. */
  constructor(options: GitCodeRollbackOptions) {
    this.clock = options.clock ?? systemClock;
    this.options = options;
    for (const service of options.services) {
      try {
        this.clones.set(
          service.name,
          new WorkingClone(service, {
            workspaceDir: options.workspaceDir,
            env: options.env ?? process.env,
            logger: options.logger,
            commandTimeoutMs: options.commandTimeoutMs ?? 120_000,
          }),
        );
        // A pull-request service's GitHub credentials are checked now too, like the git ones.
        if (service.git.via === 'pull-request' && options.pullRequests)
          this.hosts.set(service.name, options.pullRequests(service));
      } catch (error) {
        // An unset credential takes away this service's git work only: its rollbacks refuse with this error.
        if (!isRollbackError(error) || error.details.missingEnv === undefined) throw error;
        this.unavailable.set(service.name, error);
      }
    }
  }

  private clone(name: ServiceName): WorkingClone {
    const missing = this.unavailable.get(name);
    if (missing) throw missing;
    const clone = this.clones.get(name);
    if (!clone) {
      throw new RollbackError('not_found', `Unknown service "${String(name).slice(0, 64)}".`, {
        fix: `Known services: ${[...this.clones.keys()].join(', ')}.`,
      });
    }
    return clone;
  }

  async checkAvailable(name: ServiceName): Promise<void> {
    const missing = this.unavailable.get(name);
    if (missing) throw missing;
  }

  async listCommits(input: ListCommitsInput): Promise<CommitSummary[]> {
    return listRecentCommits(this.clone(input.service), input);
  }

  private host(clone: WorkingClone): PullRequestHost {
    const made = this.hosts.get(clone.service.name) ?? this.options.pullRequests?.(clone.service);
    if (!made) {
      throw new RollbackError(
        'config_invalid',
        `${clone.service.name} reverts through a pull request (git.via) but the bot has no GitHub access for it.`,
        {
          fix: 'Set git.github (owner, repo, tokenEnv or app) for this service.',
        },
      );
    }
    this.hosts.set(clone.service.name, made);
    return made;
  }

  async revert(input: RevertInput): Promise<RevertResult> {
    const incidentId = checkIncidentId(input.incidentId);
    const clone = this.clone(input.service);
    if (clone.service.git.via === 'pull-request') {
      return revertViaPullRequest(
        clone,
        this.host(clone),
        { ...input, incidentId: incidentId as typeof input.incidentId },
        {
          clock: this.clock,
          sleep: this.options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
          pollIntervalMs: this.options.pullRequestPollMs ?? 10_000,
        },
      );
    }
    return clone.exclusive(async () => {
      const outcome = await pushWithOneRedo(clone, async (checkedOut) => {
        // The history walk reads the fetched ref while the checkout writes the work tree.
        const [plan, checkout] = await Promise.allSettled([planRevert(clone, input.target, incidentId), checkedOut]);
        if (checkout.status === 'rejected') throw checkout.reason;
        if (plan.status === 'rejected') throw plan.reason;
        const { head, commits, earlier } = plan.value;
        const reverted = commits.map((commit) => commit.sha);
        if (earlier) return { kind: 'done' as const, value: { commit: earlier.sha, reverted }, head };
        const what =
          commits.length === 1 ? `Reverting ${reverted[0]?.slice(0, 7)}` : `Reverting ${commits.length} commits`;
        const message = revertMessage({ commits, incidentId, requestedBy: input.requestedBy, branch: clone.branch });
        const commit = await revertInOneCommit(clone, commits, message, what);
        return { kind: 'push' as const, value: { commit, reverted }, head };
      });
      const result: RevertResult = {
        commit: outcome.value.commit,
        head: outcome.pushed ? outcome.value.commit : outcome.startedFrom,
        previousHead: outcome.startedFrom,
        workTree: clone.dir,
        status: outcome.pushed ? 'done' : 'already-done',
        reverted: outcome.value.reverted,
        redoneAfterRace: outcome.redone,
      };
      clone.logger.info(
        {
          incidentId,
          commit: result.commit,
          reverted: result.reverted,
          status: result.status,
          redoneAfterRace: result.redoneAfterRace,
        },
        'git revert',
      );
      return result;
    });
  }

  /** Option B (reset-with-approval.ts): only with a recorded CTO approval for this incident. */
  async reset(input: ResetInput): Promise<ResetResult> {
    const incidentId = checkIncidentId(input.incidentId);
    return resetWithApproval(this.clone(input.service), input, incidentId);
  }

  async branchHead(service: ServiceName): Promise<CommitSha> {
    const clone = this.clone(service);
    return clone.exclusive(() => clone.sync());
  }

  async findOwnRevert(service: ServiceName, incidentId: IncidentId): Promise<OwnRevert | undefined> {
    const id = checkIncidentId(incidentId);
    const clone = this.clone(service);
    return clone.exclusive(async () => {
      const head = await clone.sync();
      const [record] = await ownCommits(clone, id, [head]);
      return (
        record && {
          commit: record.sha,
          incidentId: id,
          reverted: record.reverted,
          removedMigrations: record.removedMigrations,
        }
      );
    });
  }

  async migrationsBetween(service: ServiceName, from: CommitSha, to: CommitSha): Promise<MigrationsDiff> {
    const clone = this.clone(service);
    return clone.exclusive(async () => {
      await clone.sync();
      return diffMigrations(clone, from, to);
    });
  }

  async exportMigrations(service: ServiceName, commit: CommitSha): Promise<ExportedMigrations> {
    const clone = this.clone(service);
    return clone.exclusive(async () => {
      await clone.sync();
      return exportMigrationsAt(clone, commit);
    });
  }

  async removeMigration(input: RemoveMigrationInput): Promise<PushedCommit> {
    const incidentId = checkIncidentId(input.incidentId);
    const migration = parseMigrationName(input.migration);
    const clone = this.clone(input.service);
    return clone.exclusive(async () => {
      const outcome = await pushWithOneRedo(clone, async (checkedOut) => {
        const head = (await checkedOut) ?? (await clone.currentHead());
        const [earlier] = (await ownCommits(clone, incidentId, [head])).filter((record) =>
          record.removedMigrations.includes(migration),
        );
        if (earlier) return { kind: 'done' as const, value: earlier.sha, head };
        if (!(await stageMigrationRemoval(clone, migration))) {
          throw new RollbackError(
            'not_found',
            `There is no migration folder ${migrationsDirOf(clone)}/${migration} on ` +
              `${clone.branch} of ${clone.service.name}.`,
            {
              fix: 'Check the migration name against the migrations the bot lists for the incident.',
            },
          );
        }
        const message = removeMigrationMessage({
          migration,
          migrationsDir: migrationsDirOf(clone),
          incidentId,
          requestedBy: input.requestedBy,
        });
        return {
          kind: 'push' as const,
          value: await commitStaged(clone, message, `Removing migration ${migration}`),
          head,
        };
      });
      clone.logger.info(
        { incidentId, migration, commit: outcome.value, pushed: outcome.pushed },
        'migration folder removed from the deploy branch',
      );
      return {
        commit: outcome.value,
        head: outcome.pushed ? outcome.value : outcome.startedFrom,
        previousHead: outcome.startedFrom,
        workTree: clone.dir,
        status: outcome.pushed ? 'done' : 'already-done',
      };
    });
  }
}

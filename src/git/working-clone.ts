/**
 * One working clone per service under the workspace folder, reused across
 * rollbacks: each action fetches and resets it to the remote branch head
 * instead of cloning afresh. Actions on one service are serialised here;
 * across replicas the engine's per-service lock does it, and each replica
 * must have its own workspace folder. Commit ids are resolved in
 * resolve-commit.ts.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { simpleGit, type SimpleGit } from 'simple-git';
import type { ServiceConfig } from '../config/service-schema';
import type { Logger } from '../logger';
import { RollbackError } from '../rollback/errors';
import type { CommitSha } from '../rollback/ids';
import { ALLOWED_GIT_ENV, assertRemoteHasNoCredentials, buildGitEnv, redactSecrets } from './git-env';
import { translateGitError } from './git-errors';
import { type ResolvedCommit, resolveAncestor, resolveExisting } from './resolve-commit';

interface WorkingCloneOptions {
  readonly workspaceDir: string;
  /** Where tokens and key paths are read from (process.env in production). */
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  /** A git command silent for this long is killed and reported as unreachable. */
  readonly commandTimeoutMs: number;
}

export class WorkingClone {
  readonly dir: string;
  readonly gitDir: string;
  readonly branch: string;
  /** Where fetches put the remote deploy branch. */
  readonly remoteRef: string;
  readonly secrets: readonly string[];
  private repo: SimpleGit | undefined;
  private readonly env: Record<string, string>;
  readonly logger: Logger;
  private cloned = false;
  /** Set at start and after any failed action: the next sync also removes untracked files. */
  private mayBeDirty = true;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly service: ServiceConfig,
    private readonly options: WorkingCloneOptions,
  ) {
    assertRemoteHasNoCredentials(service);
    if (service.git.remote.startsWith('-')) {
      throw new RollbackError('config_invalid', `The git remote of ${service.name} starts with "-".`, {
        fix: 'Set git.remote to a URL or path.',
      });
    }
    const built = buildGitEnv(service, options.env);
    this.env = built.env;
    this.secrets = built.secrets;
    this.branch = service.git.branch;
    this.remoteRef = `refs/remotes/origin/${this.branch}`;
    this.dir = join(options.workspaceDir, service.name);
    this.gitDir = join(this.dir, '.git');
    this.logger = options.logger.child({ service: service.name, component: 'git' });
  }

  private client(baseDir: string): SimpleGit {
    const { committer } = this.service.git;
    return simpleGit({
      baseDir,
      maxConcurrentProcesses: 2,
      trimmed: false,
      config: [`user.name=${committer.name}`, `user.email=${committer.email}`, 'commit.gpgSign=false'],
      allowEnvironment: ALLOWED_GIT_ENV,
      // hooksPath: only the revert names one, the bot's own message hook (message-hook.ts).
      unsafe: {
        allowUnsafeConfigPaths: true,
        allowUnsafeConfigEnvCount: true,
        allowUnsafeSshCommand: true,
        allowUnsafeHooksPath: true,
      },
      timeout: { block: this.options.commandTimeoutMs },
      // simple-git only fails a command that wrote to stderr; git exits 1 quietly too (e.g. "nothing to commit").
      errors: (error, result) =>
        error ??
        (result.exitCode === 0
          ? undefined
          : Buffer.concat([...result.stdOut, ...result.stdErr, Buffer.from(`(git exited with ${result.exitCode})`)])),
    }).env(this.env);
  }

  /** Runs `work` alone for this service: one git action at a time per working clone. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => {
      this.mayBeDirty = true;
    });
    return run;
  }

  /** Runs git in the clone; failures come back as the raw simple-git error. */
  async raw(args: readonly string[]): Promise<string> {
    const started = Date.now();
    try {
      this.repo ??= this.client(this.dir);
      return await this.repo.raw([...args]);
    } finally {
      this.logger.debug({ git: args[0], ms: Date.now() - started }, 'git command');
    }
  }

  /** Runs git in the clone; failures come back as RollbackErrors. */
  async run(args: readonly string[], operation: string = args[0] ?? 'git'): Promise<string> {
    try {
      return await this.raw(args);
    } catch (error) {
      throw this.translate(error, operation);
    }
  }

  translate(error: unknown, operation: string): RollbackError {
    if (error instanceof RollbackError) return error;
    const translated = translateGitError(error, {
      service: this.service.name,
      branch: this.branch,
      operation,
      secrets: this.secrets,
    });
    this.logger.warn(
      { operation, reason: translated.details.reason, gitOutput: translated.details.gitOutput },
      'git failed',
    );
    return translated;
  }

  redact(text: string): string {
    return redactSecrets(text, this.secrets);
  }

  private async ensureClone(): Promise<void> {
    if (this.cloned) return;
    await mkdir(this.options.workspaceDir, { recursive: true });
    if (!existsSync(join(this.dir, '.git'))) {
      // Clone beside the final folder and rename, so a crash never leaves a half clone in its place.
      const partial = `${this.dir}.partial-${randomBytes(4).toString('hex')}`;
      try {
        await this.client(this.options.workspaceDir).raw([
          'clone',
          '--no-tags',
          '--single-branch',
          '--branch',
          this.branch,
          '--',
          this.service.git.remote,
          partial,
        ]);
      } catch (error) {
        await rm(partial, { recursive: true, force: true });
        throw this.translate(error, 'clone');
      }
      await rename(partial, this.dir);
      this.logger.info({ dir: this.dir }, 'working clone created');
    } else if ((await this.run(['remote', 'get-url', 'origin'])).trim() !== this.service.git.remote) {
      await this.run(['remote', 'set-url', 'origin', this.service.git.remote]);
    }
    this.cloned = true;
  }

  /** A crash mid-action may leave a revert in progress or a lock file; neither may block the next action. */
  private async recoverInterrupted(): Promise<void> {
    const { gitDir } = this;
    if (existsSync(join(gitDir, 'index.lock'))) {
      this.logger.warn('removing a stale index.lock left by an interrupted git command');
      await rm(join(gitDir, 'index.lock'), { force: true });
    }
    if (existsSync(join(gitDir, 'sequencer')) || existsSync(join(gitDir, 'REVERT_HEAD'))) {
      await this.run(['revert', '--quit'], 'revert --quit');
    }
  }

  /** Fetches the deploy branch and puts the clone exactly at its remote head; returns that head. */
  async sync(): Promise<CommitSha> {
    return (await this.refresh()) ?? this.currentHead();
  }

  /**
   * sync() without asking git for the head afterwards: returns it only when
   * the cleaning scan printed it anyway.
   */
  async refresh(): Promise<CommitSha | undefined> {
    await this.fetchBranch();
    return this.checkoutFetched();
  }

  /** Fetches the deploy branch into remoteRef; the work tree is not touched. */
  async fetchBranch(): Promise<void> {
    await this.ensureClone();
    await this.recoverInterrupted();
    await this.run(
      ['fetch', '-v', '--no-tags', '--prune', 'origin', `+refs/heads/${this.branch}:${this.remoteRef}`],
      'fetch',
    );
  }

  /** Puts the branch and work tree at the fetched head; returns the head when cleaning learnt it. */
  async checkoutFetched(): Promise<CommitSha | undefined> {
    await this.run(['checkout', '-f', '-B', this.branch, this.remoteRef, '--'], 'checkout');
    return this.mayBeDirty ? this.cleanUntracked() : undefined;
  }

  /** Resets the clone to `ref` (already fetched) and returns the new head. */
  async resetTo(ref: string): Promise<CommitSha> {
    await this.run(['reset', '--hard', ref, '--'], 'reset');
    return this.mayBeDirty ? this.cleanUntracked() : this.currentHead();
  }

  /**
   * Checkout -f already restored tracked files; untracked ones can only be
   * left by a failed or interrupted action, so the (slower) full status scan
   * runs only then. It prints the head too.
   */
  private async cleanUntracked(): Promise<CommitSha> {
    const status = await this.run(['status', '--porcelain=v2', '--branch', '--untracked-files=all', '--ignored']);
    const lines = status.split('\n').filter(Boolean);
    if (lines.some((line) => !line.startsWith('#'))) await this.run(['clean', '-ffdx'], 'clean');
    this.mayBeDirty = false;
    return this.checkedHead(
      lines
        .find((line) => line.startsWith('# branch.oid '))
        ?.slice('# branch.oid '.length)
        .trim(),
    );
  }

  /** The commit the clone is at (or the fetched head, with remoteRef). */
  async currentHead(ref = 'HEAD'): Promise<CommitSha> {
    return this.checkedHead((await this.run(['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`])).trim());
  }

  private checkedHead(oid: string | undefined): CommitSha {
    if (!oid || !/^[0-9a-f]{40}$/.test(oid)) {
      throw new RollbackError('external', `The deploy branch ${this.branch} of ${this.service.name} has no commits.`, {
        fix: 'Check git.branch in the services file.',
      });
    }
    return oid as CommitSha;
  }

  /** User text to a full commit sha that is an ancestor of `head`, or a bad_input error (resolve-commit.ts). */
  resolveAncestor(raw: string, head: CommitSha): Promise<ResolvedCommit> {
    return resolveAncestor(this, raw, head);
  }

  /** The full sha, parents and subject of a commit id already checked to be hex (resolve-commit.ts). */
  resolveExisting(short: CommitSha): Promise<ResolvedCommit> {
    return resolveExisting(this, short);
  }

  /**
   * Pushes HEAD to a branch of the bot's own (rollback/<incident>), replacing what an interrupted attempt left there.
   */
  async pushBranch(branch: string): Promise<void> {
    await this.run(['push', '--porcelain', '--force', 'origin', `HEAD:refs/heads/${branch}`], 'push');
  }

  /** Pushes HEAD to the deploy branch; with `lease`, only if the remote branch is still at that sha. */
  async push(lease?: CommitSha): Promise<void> {
    const ref = `refs/heads/${this.branch}`;
    const leaseArgs = lease ? [`--force-with-lease=${ref}:${lease}`] : [];
    await this.run(
      ['push', '--porcelain', ...leaseArgs, 'origin', `HEAD:${ref}`],
      lease ? 'push --force-with-lease' : 'push',
    );
  }
}

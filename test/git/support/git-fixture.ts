/**
 * Real git repositories in a temporary folder: a bare "origin", a developer
 * clone that makes history, and the adapter's workspace. git's global and
 * system config are shut out and HOME points into the sandbox.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { serviceSchema, type ServiceConfig } from '../../../src/config/service-schema';
import { GitCodeRollback } from '../../../src/git/git-code-rollback';
import { createLogger, type Logger } from '../../../src/logger';
import type { Clock } from '../../../src/rollback/clock';
import type { CommitSha, IncidentId, ServiceName, SlackUserId } from '../../../src/rollback/ids';

export const INCIDENT = 'inc-1' as IncidentId;
export const ASKER = 'U024BE7LH' as SlackUserId;

export interface Sandbox {
  readonly root: string;
  readonly origin: string;
  readonly dev: string;
  readonly workspace: string;
  readonly env: Record<string, string>;
  git(cwd: string, ...args: string[]): string;
  /** Writes (or with null deletes) files in the developer clone and commits; returns the sha. */
  commit(files: Record<string, string | null>, message: string, cwd?: string): CommitSha;
  push(cwd?: string): void;
  originHead(branch?: string): CommitSha;
  /** A second developer clone, for racing pushes. */
  cloneAs(name: string): string;
  installHook(repoGitDir: string, name: string, script: string): void;
  cleanup(): void;
}

export function createSandbox(branch = 'main'): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'rollback-bot-git-'));
  const home = join(root, 'home');
  mkdirSync(home);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    LANG: 'C',
    LC_ALL: 'C',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Dev',
    GIT_AUTHOR_EMAIL: 'dev@example.com',
    GIT_COMMITTER_NAME: 'Dev',
    GIT_COMMITTER_EMAIL: 'dev@example.com',
  };
  const git = (cwd: string, ...args: string[]): string =>
    execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const origin = join(root, 'origin.git');
  const dev = join(root, 'dev');
  git(root, 'init', '-q', '--bare', '-b', branch, origin);
  git(root, 'init', '-q', '-b', branch, dev);
  git(dev, 'remote', 'add', 'origin', origin);

  const commit = (files: Record<string, string | null>, message: string, cwd = dev): CommitSha => {
    for (const [path, content] of Object.entries(files)) {
      const full = join(cwd, path);
      if (content === null) {
        git(cwd, 'rm', '-rq', '--', path);
      } else {
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, content);
        git(cwd, 'add', '--', path);
      }
    }
    git(cwd, 'commit', '-q', '--allow-empty', '-m', message);
    return git(cwd, 'rev-parse', 'HEAD').trim() as CommitSha;
  };

  return {
    root,
    origin,
    dev,
    workspace: join(root, 'workspace'),
    env,
    git,
    commit,
    push: (cwd = dev) => void git(cwd, 'push', '-q', 'origin', `HEAD:refs/heads/${branch}`),
    originHead: (b = branch) => git(origin, 'rev-parse', `refs/heads/${b}`).trim() as CommitSha,
    cloneAs: (name) => {
      const dir = join(root, name);
      git(root, 'clone', '-q', '--branch', branch, origin, dir);
      return dir;
    },
    installHook: (gitDir, name, script) => {
      const path = join(gitDir, 'hooks', name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, `#!/bin/sh\n${script}\n`);
      chmodSync(path, 0o755);
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export function serviceFor(
  remote: string,
  overrides: { name?: string; branch?: string; tokenEnv?: string; sshKeyEnv?: string; migrationsDir?: string } = {},
): ServiceConfig {
  return serviceSchema.parse({
    name: overrides.name ?? 'clinical-os',
    vercel: { projectId: 'prj_test' },
    production: { url: 'https://dr-amal.example' },
    git: {
      remote,
      branch: overrides.branch ?? 'main',
      ...(overrides.tokenEnv ? { tokenEnv: overrides.tokenEnv } : {}),
      ...(overrides.sshKeyEnv ? { sshKeyEnv: overrides.sshKeyEnv } : {}),
      committer: { name: 'Rollback Bot', email: 'rollback-bot@example.com' },
    },
    database: { urlEnv: 'APP_DATABASE_URL', migrationsDir: overrides.migrationsDir ?? 'prisma/migrations' },
    slack: { alertsChannel: 'C0123ABCD' },
    roles: { devopsLead: ['U0LEAD'], cto: ['U0CTO'] },
    workingHours: { timeZone: 'America/New_York' },
  }) as ServiceConfig;
}

interface CapturedLogs {
  readonly logger: Logger;
  text(): string;
}

export function captureLogs(): CapturedLogs {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('debug', stream), text: () => chunks.join('') };
}

export function adapterFor(
  sandbox: Sandbox,
  services: ServiceConfig[],
  options: { env?: Record<string, string>; logger?: Logger; clock?: Clock } = {},
): GitCodeRollback {
  return new GitCodeRollback({
    services,
    workspaceDir: sandbox.workspace,
    logger: options.logger ?? captureLogs().logger,
    env: { PATH: sandbox.env.PATH ?? '', HOME: sandbox.env.HOME ?? '', ...options.env },
    commandTimeoutMs: 20_000,
    ...(options.clock ? { clock: options.clock } : {}),
  });
}

export const SERVICE = 'clinical-os' as ServiceName;

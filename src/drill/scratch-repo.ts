/**
 * The scratch app's git repository: a bare "origin" the bot pushes to and a
 * developer clone that writes the history, under the drill's folder. git runs
 * with the machine's global and system config shut out, so a signing key or a
 * hook path on this machine cannot change the drill.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Files } from './scratch-app';

const run = promisify(execFile);

export interface ScratchRepo {
  readonly origin: string;
  readonly dev: string;
  readonly branch: string;
  /** The environment git runs with (isolated config, fixed author). */
  readonly env: Record<string, string>;
  /** Brings the developer clone up to origin, writes (or, with null, deletes) files and commits; returns the sha. */
  commit(files: Files, message: string): Promise<string>;
  /** Pushes the developer clone's branch to origin. */
  push(): Promise<void>;
  originHead(): Promise<string>;
  /** A file at a commit of origin, or undefined when it is not there. */
  show(commit: string, path: string): Promise<string | undefined>;
  /** Paths under a folder at a commit of origin. */
  list(commit: string, folder: string): Promise<string[]>;
  subject(commit: string): Promise<string>;
}

export async function createScratchRepo(root: string, branch = 'main'): Promise<ScratchRepo> {
  const home = join(root, 'home');
  mkdirSync(home, { recursive: true });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    LANG: 'C',
    LC_ALL: 'C',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Dr Amal Developer',
    GIT_AUTHOR_EMAIL: 'dev@dr-amal.test',
    GIT_COMMITTER_NAME: 'Dr Amal Developer',
    GIT_COMMITTER_EMAIL: 'dev@dr-amal.test',
  };
  const git = async (cwd: string, ...args: string[]): Promise<string> =>
    (await run('git', args, { cwd, env, maxBuffer: 16 * 1024 * 1024 })).stdout;
  const origin = join(root, 'origin.git');
  const dev = join(root, 'dev');
  await git(root, 'init', '-q', '--bare', '-b', branch, origin);
  await git(root, 'init', '-q', '-b', branch, dev);
  await git(dev, 'remote', 'add', 'origin', origin);
  const originHead = async (): Promise<string> =>
    (await git(origin, 'for-each-ref', '--format=%(objectname)', `refs/heads/${branch}`)).trim();

  return {
    origin,
    dev,
    branch,
    env,
    commit: async (files, message) => {
      // Others push too (the bot's revert): start from what origin has, as a developer would.
      if ((await originHead()) !== '') await git(dev, 'pull', '-q', '--rebase', 'origin', branch);
      for (const [path, content] of Object.entries(files)) {
        const full = join(dev, path);
        if (content === null) {
          rmSync(full, { force: true });
          await git(dev, 'rm', '-q', '--cached', '--ignore-unmatch', '--', path);
        } else {
          mkdirSync(dirname(full), { recursive: true });
          writeFileSync(full, content);
          await git(dev, 'add', '--', path);
        }
      }
      await git(dev, 'commit', '-q', '-m', message);
      return (await git(dev, 'rev-parse', 'HEAD')).trim();
    },
    push: async () => void (await git(dev, 'push', '-q', 'origin', `HEAD:refs/heads/${branch}`)),
    originHead,
    show: async (commit, path) => {
      const listed = (await git(origin, 'ls-tree', '--name-only', commit, '--', path)).trim();
      return listed === '' ? undefined : git(origin, 'show', `${commit}:${path}`);
    },
    list: async (commit, folder) =>
      (await git(origin, 'ls-tree', '-r', '--name-only', commit, '--', folder))
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean),
    subject: async (commit) => (await git(origin, 'log', '-1', '--format=%s', commit)).trim(),
  };
}

/**
 * What GitHub does to the repository itself, done to a real bare repository:
 * merging a pull request (a merge or squash commit made with merge-tree, so
 * no work tree is needed) and branch protection (a pre-receive hook that
 * refuses direct pushes with GitHub's GH006 words). The stand-in's own
 * updates go through update-ref, which hooks do not see, as GitHub's merges
 * are not pushes.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const GIT_ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  LANG: 'C',
  LC_ALL: 'C',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'GitHub',
  GIT_AUTHOR_EMAIL: 'noreply@github.com',
  GIT_COMMITTER_NAME: 'GitHub',
  GIT_COMMITTER_EMAIL: 'noreply@github.com',
};

export class BareRepo {
  constructor(readonly gitDir: string) {}

  git(...args: string[]): string {
    return execFileSync('git', args, {
      cwd: this.gitDir,
      env: GIT_ENV,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** The sha a branch points at, or undefined when there is no such branch. */
  branchSha(branch: string): string | undefined {
    try {
      return this.git('rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`).trim();
    } catch {
      return undefined;
    }
  }

  /** Commits (shas) on `head` and not on `base`, oldest first. */
  commitsBetween(base: string, head: string): string[] {
    return this.git('log', '--reverse', '--format=%H', `${base}..${head}`, '--').split('\n').filter(Boolean);
  }

  /**
   * Merges `head` into `base` as GitHub would; returns the new base sha, or
   * undefined when the two conflict. `expectedBase` makes the update a
   * compare-and-set (a push in between makes it fail, as on GitHub).
   */
  merge(input: { base: string; head: string; method: 'merge' | 'squash'; message: string }): string | undefined {
    const baseSha = this.branchSha(input.base);
    if (!baseSha) return undefined;
    let tree: string;
    try {
      tree = (this.git('merge-tree', '--write-tree', baseSha, input.head).split('\n')[0] ?? '').trim();
    } catch {
      return undefined;
    }
    const parents = input.method === 'merge' ? ['-p', baseSha, '-p', input.head] : ['-p', baseSha];
    const commit = this.git('commit-tree', tree, ...parents, '-m', input.message).trim();
    this.git('update-ref', `refs/heads/${input.base}`, commit, baseSha);
    return commit;
  }

  /** Refuses pushes to these branches the way GitHub's branch protection does. */
  protect(branches: readonly string[]): void {
    const hooks = join(this.gitDir, 'hooks');
    mkdirSync(hooks, { recursive: true });
    const cases = branches
      .map(
        (branch) =>
          `    refs/heads/${branch}) echo "error: GH006: Protected branch update failed for ` +
          `refs/heads/${branch}." >&2; echo "error: Changes must be made through a pull ` +
          `request." >&2; exit 1 ;;`,
      )
      .join('\n');
    const script = `#!/bin/sh\nwhile read old new ref; do\n  case "$ref" in\n${cases}\n  esac\ndone\nexit 0\n`;
    const path = join(hooks, 'pre-receive');
    writeFileSync(path, script);
    chmodSync(path, 0o755);
  }
}

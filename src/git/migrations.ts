/**
 * What the schema rollback needs from git: which Prisma migration folders lie
 * between two commits, the migrations folder as it was at a commit, and a
 * commit that removes one migration folder from the deploy branch.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { RollbackError } from '../rollback/errors';
import type { CommitSha, MigrationName } from '../rollback/ids';
import type { ExportedMigrations, MigrationsDiff } from '../rollback/ports/code';
import { exportElsewhere } from './migrations-elsewhere';
import type { WorkingClone } from './working-clone';

const execFileAsync = promisify(execFile);

/** The configured migrations folder, relative to the repository root, checked to stay inside it. */
export function migrationsDirOf(clone: WorkingClone): string {
  const configured = clone.service.database?.migrationsDir ?? 'prisma/migrations';
  const dir = posix.normalize(configured.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (dir === '' || dir === '.' || dir.startsWith('/') || dir.startsWith('..') || dir.startsWith('-')) {
    throw new RollbackError(
      'config_invalid',
      `database.migrationsDir of ${clone.service.name} ("${configured}") is not a folder inside the repository.`,
      {
        fix: 'Set it relative to the repository root, e.g. prisma/migrations.',
      },
    );
  }
  return dir;
}

/** Migration folder names at a commit (sorted); none when the folder does not exist there. */
export async function migrationsAt(clone: WorkingClone, commit: CommitSha): Promise<MigrationName[]> {
  const dir = migrationsDirOf(clone);
  const out = await clone.run(['ls-tree', '-d', '--name-only', '-z', commit, '--', `${dir}/`], 'ls-tree');
  return out
    .split('\0')
    .filter(Boolean)
    .map((path) => posix.basename(path) as MigrationName)
    .sort();
}

export async function diffMigrations(clone: WorkingClone, from: CommitSha, to: CommitSha): Promise<MigrationsDiff> {
  const fromCommit = await clone.resolveExisting(from);
  const toCommit = await clone.resolveExisting(to);
  const [atFrom, atTo] = await Promise.all([migrationsAt(clone, fromCommit.sha), migrationsAt(clone, toCommit.sha)]);
  const inTo = new Set(atTo);
  const inFrom = new Set(atFrom);
  return { onlyAtFrom: atFrom.filter((name) => !inTo.has(name)), onlyAtTo: atTo.filter((name) => !inFrom.has(name)) };
}

/**
 * Copies the migrations folder at `commit` into a fresh temporary folder
 * (empty if there was none), with the folders it lacks that git still has
 * (migrations-elsewhere.ts).
 */
export async function exportMigrationsAt(clone: WorkingClone, commit: CommitSha): Promise<ExportedMigrations> {
  const resolved = await clone.resolveExisting(commit);
  const dir = migrationsDirOf(clone);
  const root = await mkdtemp(join(tmpdir(), `rollback-migrations-${clone.service.name}-`));
  const cleanup = (): Promise<void> => rm(root, { recursive: true, force: true });
  try {
    const target = join(root, 'migrations');
    await mkdir(target);
    const present = await clone.run(['ls-tree', '--name-only', resolved.sha, '--', dir], 'ls-tree');
    if (present.trim() !== '') {
      const archive = join(root, 'migrations.tar');
      // The tree at `dir` becomes the archive's root, so the folder's content lands directly in `target`.
      await clone.run(['archive', '--format=tar', `--output=${archive}`, `${resolved.sha}:${dir}`], 'archive');
      await execFileAsync('tar', ['-xf', archive, '-C', target]);
      await rm(archive, { force: true });
    }
    const elsewhere = await exportElsewhere(clone, resolved.sha, await migrationsAt(clone, resolved.sha), root);
    return { dir: target, commit: resolved.sha, elsewhere, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Stages the removal of one migration folder; false when it is not on the branch. */
export async function stageMigrationRemoval(clone: WorkingClone, migration: MigrationName): Promise<boolean> {
  const path = `${migrationsDirOf(clone)}/${migration}`;
  const present = await clone.run(['ls-tree', '-d', '--name-only', 'HEAD', '--', path], 'ls-tree');
  if (present.trim() === '') return false;
  await clone.run(['rm', '-r', '--', path], 'rm');
  return true;
}

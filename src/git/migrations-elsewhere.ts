/**
 * Migration folders that the exported commit lacks but git still knows: on
 * the deploy branch head, or added by a commit in the history. After an
 * application rollback production serves an older commit without the bad
 * migration's folder, yet the migration is applied in the database; the
 * schema rollback reads its SQL from here.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import type { CommitSha, MigrationName } from '../rollback/ids';
import type { ElsewhereManifest, MigrationElsewhere, MigrationSqlVersion } from '../rollback/ports/code';
import { migrationsAt, migrationsDirOf } from './migrations';
import type { WorkingClone } from './working-clone';

const execFileAsync = promisify(execFile);

/** Prisma names its folders <timestamp>_<words>; anything else is not read (it would reach git as a pathspec). */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Migration name -> the commits that added its migration.sql, newest first, over `revisions`. */
async function addedBy(
  clone: WorkingClone,
  dir: string,
  revisions: readonly string[],
): Promise<Map<MigrationName, CommitSha[]>> {
  if (revisions.length === 0) return new Map();
  const out = await clone.run(
    ['log', '--diff-filter=A', '--no-renames', '--format=%x01%H', '--name-only', ...revisions, '--', `${dir}/`],
    'log',
  );
  const added = new Map<MigrationName, CommitSha[]>();
  for (const chunk of out.split('\x01')) {
    const [sha = '', ...paths] = chunk.split('\n').map((line) => line.trim());
    if (!/^[0-9a-f]{40}$/.test(sha)) continue;
    for (const path of paths) {
      if (posix.dirname(posix.dirname(path)) !== dir || posix.basename(path) !== 'migration.sql') continue;
      const name = posix.basename(posix.dirname(path)) as MigrationName;
      if (!SAFE_NAME.test(name)) continue;
      const commits = added.get(name) ?? [];
      if (!commits.includes(sha as CommitSha)) commits.push(sha as CommitSha);
      added.set(name, commits);
    }
  }
  return added;
}

/** Copies `<dir>/<name>/migration.sql` of each name at `commit` to `<root>/elsewhere/<commit>/<name>/migration.sql`. */
async function extract(
  clone: WorkingClone,
  dir: string,
  commit: CommitSha,
  names: readonly MigrationName[],
  root: string,
): Promise<void> {
  const target = join(root, 'elsewhere', commit);
  await mkdir(target, { recursive: true });
  const archive = join(root, `elsewhere-${commit}.tar`);
  await clone.run(
    [
      'archive',
      '--format=tar',
      `--output=${archive}`,
      `${commit}:${dir}`,
      '--',
      ...names.map((name) => `${name}/migration.sql`),
    ],
    'archive',
  );
  await execFileAsync('tar', ['-xf', archive, '-C', target]);
  await rm(archive, { force: true });
}

/**
 * Finds the migration folders absent at `serving` (whose folder names are
 * `present`) on the fetched branch head and in the history, copies their
 * migration.sql under `root` and says where each copy is.
 */
export async function exportElsewhere(
  clone: WorkingClone,
  serving: CommitSha,
  present: readonly MigrationName[],
  root: string,
): Promise<ElsewhereManifest> {
  const dir = migrationsDirOf(clone);
  const head = await clone.currentHead(clone.remoteRef);
  const atServing = new Set<string>(present);
  const [atHead, newer, older] = await Promise.all([
    migrationsAt(clone, head),
    addedBy(clone, dir, head === serving ? [] : [head, `^${serving}`]),
    addedBy(clone, dir, [serving]),
  ]);
  const onHead = new Set<string>(atHead.filter((name) => SAFE_NAME.test(name)));
  const names = [...new Set<MigrationName>([...atHead, ...newer.keys(), ...older.keys()])]
    .filter((name) => !atServing.has(name) && SAFE_NAME.test(name))
    .sort();

  const migrations: MigrationElsewhere[] = names.map((name) => {
    const commits = [...(newer.get(name) ?? []), ...(older.get(name) ?? [])];
    const versions: MigrationSqlVersion[] = [
      ...(onHead.has(name) ? [{ origin: 'branch-head' as const, commit: head }] : []),
      ...commits.map((commit) => ({ origin: 'added' as const, commit })),
    ].map((v) => ({ ...v, file: posix.join('elsewhere', v.commit, name, 'migration.sql') }));
    return { name, newerThanCommit: newer.has(name), versions };
  });

  const byCommit = new Map<CommitSha, MigrationName[]>();
  for (const migration of migrations) {
    for (const version of migration.versions)
      byCommit.set(version.commit, [...(byCommit.get(version.commit) ?? []), migration.name]);
  }
  for (const [commit, wanted] of byCommit) await extract(clone, dir, commit, [...new Set(wanted)], root);

  if (migrations.length > 0)
    clone.logger.info(
      { commit: serving, elsewhere: migrations.map((m) => m.name) },
      'migrations absent at the commit found in git',
    );
  return {
    commit: serving,
    branchHead: head,
    migrations: migrations.map((m) => ({
      ...m,
      versions: m.versions.map((v) => ({ ...v, file: join(root, v.file) })),
    })),
  };
}

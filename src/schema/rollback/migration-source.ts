/**
 * Which migration.sql a schema rollback plan is derived from. The folder
 * given is the one at the commit production serves; after an application
 * rollback it may lack the migration being rolled back, so the export's
 * manifest (ExportedMigrations.elsewhere) offers the deploy branch head's
 * copy and the commits that added it. The SQL must be what ran: when
 * `_prisma_migrations` has a checksum, only a copy whose sha256 equals it is
 * used, and none matching is a refusal.
 */
import { existsSync, readFileSync } from 'node:fs';
import { RollbackError } from '../../rollback/errors';
import type { MigrationName } from '../../rollback/ids';
import type { ElsewhereManifest } from '../../rollback/ports/code';
import type { MigrationSqlSource } from '../../rollback/ports/schema';
import { type MigrationFolder, checksumOf } from '../status/read-status';

interface SourcedMigration {
  readonly folder: MigrationFolder;
  readonly source: MigrationSqlSource;
}

const short = (sha: string | undefined): string => (sha ? sha.slice(0, 7) : 'unknown');

const ORIGIN_WORDS: Record<MigrationSqlSource['origin'], string> = {
  folder: 'the folder given',
  'branch-head': 'the branch head',
  added: 'the adding commit',
};

/** Every copy of `name` known, the given folder's first. */
function candidates(
  name: MigrationName,
  folders: readonly MigrationFolder[],
  manifest: ElsewhereManifest | undefined,
  migrationsDir: string,
): SourcedMigration[] {
  const own = folders.find((f) => f.name === name);
  const serving = manifest
    ? `the commit production serves (${short(manifest.commit)})`
    : `the migrations folder ${migrationsDir}`;
  const found: SourcedMigration[] = [];
  if (own) {
    found.push({
      folder: own,
      source: {
        origin: 'folder',
        ...(manifest ? { commit: manifest.commit } : {}),
        checksumMatches: false,
        description: `Read from ${serving}.`,
      },
    });
  }
  for (const version of manifest?.migrations.find((m) => m.name === name)?.versions ?? []) {
    const path = version.file;
    if (!existsSync(path)) continue;
    const bytes = readFileSync(path);
    const where =
      version.origin === 'branch-head'
        ? `the deploy branch head ${short(version.commit)}`
        : `commit ${short(version.commit)}, which added it`;
    found.push({
      folder: { name, path, sql: bytes.toString('utf8'), checksum: checksumOf(bytes) },
      source: {
        origin: version.origin,
        commit: version.commit,
        checksumMatches: false,
        description: `Not in ${serving}; read from ${where}.`,
      },
    });
  }
  return found;
}

/**
 * The migration.sql to derive the inverse from: the given folder's, else the
 * branch head's, else the adding commit's; the first whose sha256 equals the
 * applied checksum when there is one.
 */
export function findMigrationSql(
  name: MigrationName,
  folders: readonly MigrationFolder[],
  manifest: ElsewhereManifest | undefined,
  migrationsDir: string,
  appliedChecksum: string | undefined,
): SourcedMigration {
  const found = candidates(name, folders, manifest, migrationsDir);
  if (found.length === 0) {
    const where = manifest
      ? `the commit production serves (${short(manifest.commit)}), on the deploy branch ` +
        `head (${short(manifest.branchHead)}) or in its history`
      : `${migrationsDir}`;
    throw new RollbackError('not_found', `${name} is applied but its migration.sql is not in ${where}.`, {
      fix:
        'Check the migration name against `migration status`; if its folder was never ' +
        'committed, undo it by hand or with a forward-fix migration.',
    });
  }
  const expected = appliedChecksum?.trim().toLowerCase();
  if (!expected) {
    const first = found[0] as SourcedMigration;
    return {
      folder: first.folder,
      source: {
        ...first.source,
        description: `${first.source.description} _prisma_migrations has no checksum to check it against.`,
      },
    };
  }
  const match = found.find((c) => c.folder.checksum === expected);
  if (!match) {
    const read = found.map(
      (c) => `${ORIGIN_WORDS[c.source.origin]} ${short(c.source.commit)} (sha256 ${c.folder.checksum.slice(0, 12)})`,
    );
    throw new RollbackError(
      'conflict',
      `${name}: no migration.sql found matches the checksum ${expected.slice(0, 12)} ` +
        `recorded in _prisma_migrations when it was applied; read ${read.join(', ')}. The ` +
        `SQL was changed after it ran, so an inverse derived from it would not undo what ` +
        `ran; nothing was changed.`,
      {
        fix:
          'Find the migration.sql that was applied (its sha256 must equal the checksum), or ' +
          'repair the schema with a forward-fix migration.',
      },
    );
  }
  return {
    folder: match.folder,
    source: {
      ...match.source,
      checksumMatches: true,
      description: `${match.source.description} Its sha256 matches the checksum in _prisma_migrations.`,
    },
  };
}

/**
 * The migrations to replay on the shadow database before the target: the
 * given folder's, plus migrations newer than its commit that are applied in
 * the database (their folders are elsewhere too), in name order. Migrations
 * removed before that commit (squashed, rolled back) are not replayed.
 */
export function replayBefore(
  target: SourcedMigration,
  folders: readonly MigrationFolder[],
  manifest: ElsewhereManifest | undefined,
  migrationsDir: string,
  applied: ReadonlyMap<string, string>,
): MigrationFolder[] {
  const present = new Set<string>(folders.map((f) => f.name));
  const newer = (manifest?.migrations ?? [])
    .filter(
      (m) =>
        m.newerThanCommit &&
        m.name !== target.folder.name &&
        !present.has(m.name) &&
        applied.has(m.name) &&
        m.name < target.folder.name,
    )
    .map((m) => {
      const found = candidates(m.name as MigrationName, [], manifest, migrationsDir);
      return (found.find((c) => c.folder.checksum === applied.get(m.name)) ?? found[0])?.folder;
    })
    .filter((f): f is MigrationFolder => f !== undefined);
  return [...folders.filter((f) => f.name < target.folder.name), ...newer].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
}

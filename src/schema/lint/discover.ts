/**
 * Turns command-line arguments into migration files: a migration.sql, a
 * Prisma migrations folder (one sub-folder per migration), or .sql files.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RollbackError } from '../../rollback/errors';

export function discoverMigrationFiles(args: readonly string[]): string[] {
  const files: string[] = [];
  for (const arg of args) {
    const path = resolve(arg);
    if (!existsSync(path)) {
      throw new RollbackError('bad_input', `${arg}: no such file or folder.`, {
        fix: 'Pass a migration.sql, a Prisma migrations folder or .sql files.',
      });
    }
    if (statSync(path).isDirectory()) files.push(...sqlFilesUnder(path));
    else files.push(path);
  }
  return [...new Set(files)];
}

/** Sorted like Prisma applies them: migration folder names start with a timestamp. */
function sqlFilesUnder(dir: string): string[] {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sqlFilesUnder(path);
    return entry.isFile() && entry.name.endsWith('.sql') ? [path] : [];
  });
}

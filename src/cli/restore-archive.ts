/**
 * `rollback-bot restore-archive <archive-table|migration-name> --database-url URL`
 * (or APP_DATABASE_URL in the environment). Exit 0 restored, 1 refused, 2 usage error.
 */
import { isRollbackError } from '../rollback/errors';
import { scrubSecrets } from '../logger';
import { restoreArchive } from '../schema/rollback/restore-archive';
import type { CliIo } from './lint-migrations';

export const RESTORE_USAGE = 'Usage: rollback-bot restore-archive <archive-table|migration-name> --database-url URL\n';

export async function run(argv: string[], io: CliIo): Promise<number> {
  let selector: string | undefined;
  let url: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--database-url') url = argv[++i];
    else if (arg.startsWith('--database-url=')) url = arg.slice('--database-url='.length);
    else if (arg.startsWith('-') || selector !== undefined) {
      io.stderr(`restore-archive: unexpected argument ${arg}\n${RESTORE_USAGE}`);
      return 2;
    } else selector = arg;
  }
  url ??= io.env.APP_DATABASE_URL;
  if (!selector || !url) {
    io.stderr(`restore-archive: name an archive table or migration and the database (--database-url or APP_DATABASE_URL)\n${RESTORE_USAGE}`);
    return 2;
  }
  try {
    const results = await restoreArchive(url, selector);
    for (const r of results) io.stdout(`restored ${r.restoredRows} rows from ${r.archiveTable}\n`);
    return 0;
  } catch (error) {
    const message = isRollbackError(error) ? error.explain() : (error as Error).message;
    io.stderr(`restore-archive: ${scrubSecrets(message)}\n`);
    return 1;
  }
}

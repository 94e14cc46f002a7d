/**
 * `rollback-bot restore-archive <archive-table|migration-name> (--database-url URL | --service NAME)`
 * With --service, the app database URL is read from the env var the services
 * file names for that service (database.urlEnv); the services file is
 * ROLLBACK_CONFIG or ./rollback.config.yaml. Exit 0 restored, 1 refused, 2 usage error.
 */
import { resolve } from 'node:path';
import { loadServicesFile } from '../config/load-config';
import { findService } from '../rollback/services';
import { RollbackError, isRollbackError } from '../rollback/errors';
import { scrubSecrets, silentLogger } from '../logger';
import { recordRestored } from '../post-rollback/archive-restores';
import { type RestoreResult, restoreArchive } from '../schema/rollback/restore-archive';
import { createDb } from '../store/pool';
import type { CliIo } from './lint-migrations';
import { readArgs } from './args';

export const RESTORE_USAGE =
  'Usage: rollback-bot restore-archive <archive-table|migration-name> (--database-url URL | --service NAME)\n';

const DEFAULT_SERVICES_FILE = 'rollback.config.yaml';

interface RestoreArgs {
  selector: string;
  databaseUrl?: string;
  service?: string;
}

function parseArgs(argv: readonly string[]): RestoreArgs | string {
  const read = readArgs(argv, ['database-url', 'service']);
  if (typeof read === 'string') return read;
  const [selector, extra] = read.positionals;
  const databaseUrl = read.values['database-url'];
  const service = read.values.service;
  if (extra !== undefined) return `unexpected argument ${extra}`;
  if (!selector) return 'name an archive table or a migration';
  if (databaseUrl && service) return 'give either --database-url or --service, not both';
  if (!databaseUrl && !service)
    return (
      'name the database: --database-url URL, or --service NAME to use the URL from the ' +
      "services file's database.urlEnv"
    );
  return { selector, ...(databaseUrl ? { databaseUrl } : {}), ...(service ? { service } : {}) };
}

/** The app database URL of a service: the services file names the env var, the environment holds the URL. */
function databaseUrlForService(serviceName: string, env: NodeJS.ProcessEnv): string {
  const path = resolve(env.ROLLBACK_CONFIG ?? DEFAULT_SERVICES_FILE);
  const service = findService(loadServicesFile(path), serviceName);
  if (!service.database) {
    throw new RollbackError('config_invalid', `The service "${service.name}" has no database section in ${path}.`, {
      fix: 'Add database.urlEnv (the env var holding the app database URL) to the service, or pass --database-url.',
    });
  }
  const url = env[service.database.urlEnv];
  if (!url) {
    throw new RollbackError(
      'config_invalid',
      `The env var ${service.database.urlEnv} (database.urlEnv of "${service.name}") is not set.`,
      {
        fix: `Set ${service.database.urlEnv} to the app database URL, or pass --database-url.`,
      },
    );
  }
  return url;
}

/**
 * Records the restore in the bot's store (DATABASE_URL) at once; when the store
 * cannot be reached, the bot reads the app database's manifest when asked.
 */
async function tellTheBot(results: readonly RestoreResult[], env: NodeJS.ProcessEnv): Promise<string> {
  const storeUrl = env.DATABASE_URL?.trim();
  const later =
    'the bot reads the archive manifest when its metrics are next asked for (/rollback stats) or at its next sync';
  if (!storeUrl) return `DATABASE_URL is not set: ${later}.`;
  const db = createDb(storeUrl, silentLogger, 1);
  try {
    const recorded = await recordRestored(db, results, new Date());
    return recorded > 0
      ? `recorded in the bot's store: data loss no longer counts ` +
          `${recorded === 1 ? 'this archive' : `these ${recorded} archives`}.`
      : `no schema rollback of the bot made ` +
          `${results.length === 1 ? 'this archive' : 'these archives'}: nothing to record ` +
          `in its store.`;
  } catch (error) {
    return `the bot's store did not answer (${scrubSecrets((error as Error).message).slice(0, 200)}): ${later}.`;
  } finally {
    await db.close().catch(() => undefined);
  }
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    io.stderr(`restore-archive: ${args}\n${RESTORE_USAGE}`);
    return 2;
  }
  let url: string;
  try {
    url = args.databaseUrl ?? databaseUrlForService(args.service ?? '', io.env);
  } catch (error) {
    const message = isRollbackError(error) ? error.explain() : (error as Error).message;
    io.stderr(`restore-archive: ${scrubSecrets(message)}\n`);
    return 2;
  }
  try {
    const results = await restoreArchive(url, args.selector);
    for (const r of results) io.stdout(`restored ${r.restoredRows} rows from ${r.archiveTable}\n`);
    io.stdout(`${await tellTheBot(results, io.env)}\n`);
    return 0;
  } catch (error) {
    const message = isRollbackError(error) ? error.explain() : (error as Error).message;
    io.stderr(`restore-archive: ${scrubSecrets(message)}\n`);
    return 1;
  }
}

/**
 * Before the staging drill touches anything: the service from the services
 * file, every variable it needs, whether its targets are on this machine,
 * and the plan in words, so the operator knows what --yes agrees to.
 */
import { resolve } from 'node:path';
import { loadServicesFile, parseEnv } from '../../config/load-config';
import { findService } from '../../rollback/services';
import type { ServiceConfig } from '../../config/service-schema';
import { RollbackError } from '../../rollback/errors';
import { stagingService } from './targets';

export interface StagingTarget {
  readonly service: ServiceConfig;
  readonly configPath: string;
  readonly vercelToken: string;
  readonly vercelApiUrl?: string;
  readonly appDatabaseUrl: string;
  /** Every target (Vercel API, production URL, git remote, app database) is on this machine. */
  readonly local: boolean;
  readonly runId: string;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

function isLocalUrl(raw: string | undefined): boolean {
  if (raw === undefined) return false;
  try {
    return LOCAL_HOSTS.has(new URL(raw).hostname);
  } catch {
    return false;
  }
}

/** A path or file:// remote is on this machine; scp-like and network URLs are not, unless they name localhost. */
function isLocalRemote(remote: string): boolean {
  if (remote.startsWith('/') || remote.startsWith('file://') || remote.startsWith('./') || remote.startsWith('../'))
    return true;
  return isLocalUrl(remote);
}

function missing(what: string, fix: string): RollbackError {
  return new RollbackError('config_invalid', what, { fix });
}

export function prepareStaging(serviceName: string, env: NodeJS.ProcessEnv, runId: string): StagingTarget {
  const parsed = parseEnv(env);
  const configPath = resolve(parsed.ROLLBACK_CONFIG);
  // From here on the service is its staging targets; refused when one of them is production's.
  const service = stagingService(findService(loadServicesFile(configPath), serviceName), env);
  if (!parsed.VERCEL_TOKEN)
    throw missing(
      'VERCEL_TOKEN is not set: the application rollback moves the staging project on Vercel.',
      'Set VERCEL_TOKEN to a token with access to the staging project.',
    );
  for (const name of [service.git.tokenEnv, service.git.sshKeyEnv]) {
    if (name && !env[name])
      throw missing(
        `${name} is not set: the git revert pushes a throwaway branch to ${service.git.remote}.`,
        `Set ${name} (named by git.tokenEnv/sshKeyEnv of ${service.name}).`,
      );
  }
  if (!service.database)
    throw missing(
      `${service.name} has no database section: the schema migration rollback needs the staging database.`,
      'Add database.urlEnv (and migrationsDir) to the service in the services file.',
    );
  const appDatabaseUrl = env[service.database.urlEnv];
  if (!appDatabaseUrl)
    throw missing(
      `${service.database.urlEnv} is not set: the schema migration rollback runs on the staging database it names.`,
      `Set ${service.database.urlEnv} to the staging database URL.`,
    );
  const local =
    isLocalUrl(parsed.VERCEL_API_URL) &&
    isLocalUrl(service.production.url) &&
    isLocalRemote(service.git.remote) &&
    isLocalUrl(appDatabaseUrl.replace(/^postgres(ql)?:/, 'http:'));
  return {
    service,
    configPath,
    vercelToken: parsed.VERCEL_TOKEN,
    vercelApiUrl: parsed.VERCEL_API_URL,
    appDatabaseUrl,
    local,
    runId,
  };
}

export const drillBranch = (runId: string): string => `rollback-drill/${runId}`;
export const drillTable = (runId: string): string => `_rollback_drill_${runId}`;

function databaseName(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`;
  } catch {
    return '(the app database)';
  }
}

/** What the drill will do, in the order it does it. */
export function describePlan(target: StagingTarget): string[] {
  const { service, runId } = target;
  return [
    `The drill will, on ${service.displayName ?? service.name} (${service.name}):`,
    `  1. Application rollback, timed against the runbook's 5 minutes: a bot started ` +
      `here (Slack stand-in, real Vercel) gets "/rollback ${service.name}" from a ` +
      `DevOps lead,`,
    `     moves production of the staging Vercel project ${service.vercel.projectId} ` +
      `to its previous production deployment and verifies ${service.production.url};`,
    '     then production is moved back to the deployment serving now the same way ("/rollback <service> to <it>").',
    `  2. Git revert: pushes a throwaway branch ${drillBranch(runId)} of ` +
      `${service.git.remote} (made from ${service.git.branch}) with one test commit,`,
    `     reverts it with the bot's git worker, checks the branch's tree is back to ` +
      `${service.git.branch}'s, and deletes the branch. ${service.git.branch} is not ` +
      `changed.`,
    `  3. Schema migration rollback on ${databaseName(target.appDatabaseUrl)}: ` +
      `applies two test migrations (table "${drillTable(runId)}", then a column with ` +
      `data),`,
    "     rolls the second back with the bot's schema worker (values archived first, " +
      'a simulated CTO approval), checks the schema and that no data was lost',
    '     (the migration applied again and the archive restored), then removes the ' +
      'test table, its archives and its _prisma_migrations rows.',
  ];
}

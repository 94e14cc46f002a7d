/**
 * The staging targets of a service, from its `staging:` section in the
 * services file, as a service config the drill's bot and workers act on; and
 * the refusal when one of them is production's (the drill changes what it
 * points at: it must never be production).
 */
import type { ServiceConfig } from '../../config/service-schema';
import { RollbackError } from '../../rollback/errors';

const refuse = (what: string, fix: string): RollbackError => new RollbackError('config_invalid', what, { fix });

/** Scheme, host, port and path, so https://Dr-Amal.com/ and https://dr-amal.com are the same site. */
function siteOf(raw: string): string {
  const url = new URL(raw);
  return `${url.protocol}//${url.host.toLowerCase()}${url.pathname.replace(/\/+$/, '')}`;
}

/** Host, port and database name of a PostgreSQL URL (user and password do not make it another database). */
function databaseOf(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    const name = decodeURIComponent(url.pathname.replace(/^\//, '')) || url.username;
    return `${url.hostname.toLowerCase()}:${url.port || '5432'}/${name}`;
  } catch {
    return undefined;
  }
}

/**
 * The service as the drill runs it: Vercel project, production URL, deploy
 * branch and database URL variable replaced by the staging ones. Throws when
 * there is no `staging:` section or one of its targets is production's.
 */
export function stagingService(service: ServiceConfig, env: NodeJS.ProcessEnv): ServiceConfig {
  const staging = service.staging;
  if (!staging) {
    throw refuse(
      `${service.name} has no staging section: the drill runs only against staging targets, never production.`,
      `Add to ${service.name} in the services file: staging: { projectId, url, branch, ` +
        `databaseUrlEnv }, naming its staging Vercel project, URL, branch and the ` +
        `variable holding the staging database URL.`,
    );
  }
  const fix = (field: string): string =>
    `Point staging.${field} of ${service.name} in the services file at the staging target, not production's.`;
  const teamId = staging.teamId ?? service.vercel.teamId;
  if (staging.projectId === service.vercel.projectId && teamId === service.vercel.teamId) {
    throw refuse(
      `staging.projectId of ${service.name} is production's Vercel project ` +
        `(${service.vercel.projectId}): the drill would roll production back.`,
      fix('projectId'),
    );
  }
  if (siteOf(staging.url) === siteOf(service.production.url)) {
    throw refuse(
      `staging.url of ${service.name} is production's URL (${service.production.url}): ` +
        `the drill would check production.`,
      fix('url'),
    );
  }
  if (staging.branch === service.git.branch) {
    throw refuse(
      `staging.branch of ${service.name} is production's deploy branch ` +
        `(${service.git.branch}): the drill would branch from and revert on it.`,
      fix('branch'),
    );
  }
  const production = service.database?.urlEnv;
  if (production && !staging.databaseUrlEnv) {
    throw refuse(
      `${service.name} has a database but its staging section names none: the drill's ` +
        `schema rollback would run on production's (${production}).`,
      `Add staging.databaseUrlEnv to ${service.name} in the services file: the variable ` +
        `holding the staging database URL.`,
    );
  }
  if (staging.databaseUrlEnv && production) {
    const stagingDb = env[staging.databaseUrlEnv] ? databaseOf(env[staging.databaseUrlEnv] as string) : undefined;
    const productionDb = env[production] ? databaseOf(env[production] as string) : undefined;
    if (staging.databaseUrlEnv === production || (stagingDb !== undefined && stagingDb === productionDb)) {
      throw refuse(
        `staging.databaseUrlEnv of ${service.name} (${staging.databaseUrlEnv}) names ` +
          `production's database (${production}${stagingDb ? `, ${stagingDb}` : ''}): the ` +
          `drill would migrate and roll back production's schema.`,
        fix('databaseUrlEnv'),
      );
    }
  }
  return {
    ...service,
    vercel: { ...service.vercel, projectId: staging.projectId, ...(teamId === undefined ? {} : { teamId }) },
    production: { ...service.production, url: staging.url },
    git: { ...service.git, branch: staging.branch },
    ...(service.database && staging.databaseUrlEnv
      ? { database: { ...service.database, urlEnv: staging.databaseUrlEnv } }
      : {}),
  };
}

/**
 * The adapters the incident engine acts through, built from config: Vercel
 * (on first use, so a missing VERCEL_TOKEN refuses only what needs it), git,
 * schema, feature flags and Rolling Releases.
 */
import { join } from 'node:path';
import type { AppConfig } from './config/load-config';
import { GitCodeRollback } from './git/git-code-rollback';
import { GitHubAccess } from './github/github-access';
import type { Logger } from './logger';
import { type Clock, systemClock } from './rollback/clock';
import { RollbackError } from './rollback/errors';
import type { ApplicationPort } from './rollback/ports/application';
import type { CodeRollbackPort } from './rollback/ports/code';
import type { SchemaPort } from './rollback/ports/schema';
import type { FlagPort } from './rollback/ports/flags';
import { EdgeConfigFlags } from './flags/edge-config-flags';
import { ProviderFlags } from './flags/provider-flags';
import { VercelFlags } from './flags/vercel-flags';
import { PrismaSchemaAdapter } from './schema/prisma-schema-adapter';
import { VercelApplication } from './vercel/vercel-application';
import { createRollingReleases, type VercelRollingReleases } from './vercel/rolling-release';

export interface Adapters {
  application: ApplicationPort;
  code: CodeRollbackPort;
  schema: SchemaPort;
  clock: Clock;
  /** The feature-flag kill switch; default Vercel Edge Config at VERCEL_API_URL (tokens by each flag's env var). */
  flags?: FlagPort;
  /** Vercel's Rolling Releases, for /rollout; default built from VERCEL_TOKEN on first use. */
  rollingReleases?: VercelRollingReleases;
  /** Where a deployment's own URL answers (the stand-ins); default https://<host>. */
  deploymentOrigin?: (host: string) => string;
}

/**
 * Builds the adapter on first use, so a missing VERCEL_TOKEN refuses application
 * rollbacks with its own message instead of stopping the whole bot: while it
 * cannot be built, every call rejects with the reason (never a synchronous throw).
 */
export function onFirstUse<T extends object>(make: () => T): T {
  let made: T | undefined;
  return new Proxy({} as T, {
    get: (_target, property) => {
      try {
        made ??= make();
      } catch (error) {
        return () => Promise.reject(error);
      }
      const value = (made as Record<PropertyKey, unknown>)[property];
      return typeof value === 'function' ? value.bind(made) : value;
    },
  });
}

function vercelApplication(config: AppConfig, env: NodeJS.ProcessEnv, logger: Logger): VercelApplication {
  const token = config.env.VERCEL_TOKEN?.trim();
  if (!token) {
    throw new RollbackError(
      'config_invalid',
      'VERCEL_TOKEN is not set: the bot cannot read or move production on Vercel, so ' +
        'application rollbacks (and the deploy and verification steps of the other ' +
        'rollbacks) are unavailable until it is.',
      {
        details: { missingEnv: 'VERCEL_TOKEN' },
        fix:
          'Set VERCEL_TOKEN to a Vercel access token scoped to the team that owns the ' +
          'projects, then restart the bot.',
      },
    );
  }
  return new VercelApplication({
    token,
    apiUrl: config.env.VERCEL_API_URL,
    logger: logger.child({ adapter: 'vercel' }),
    env,
  });
}

export function providerFlags(config: AppConfig, env: NodeJS.ProcessEnv, logger: Logger): FlagPort {
  const apiUrl = config.env.VERCEL_API_URL;
  const readUrl = config.env.EDGE_CONFIG_READ_URL;
  return new ProviderFlags({
    edgeConfig: new EdgeConfigFlags({ env, apiUrl, readUrl, logger: logger.child({ adapter: 'edge-config' }) }),
    vercelFlags: new VercelFlags({ env, apiUrl, logger: logger.child({ adapter: 'vercel-flags' }) }),
  });
}

export function rollingReleases(config: AppConfig, logger: Logger): VercelRollingReleases {
  // The same refusal as the application adapter's when VERCEL_TOKEN is missing.
  const token = config.env.VERCEL_TOKEN?.trim() ?? '';
  const child = logger.child({ adapter: 'vercel', part: 'rolling-release' });
  return createRollingReleases({ token, apiUrl: config.env.VERCEL_API_URL, logger: child });
}

/** `shadowServerUrl`: the server schema plans make their scratch databases on (the bot's own). */
export function defaultAdapters(
  config: AppConfig,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  options: { shadowServerUrl?: string } = {},
): Adapters {
  const github = new GitHubAccess({ env, apiUrl: env.GITHUB_API_URL, logger: logger.child({ adapter: 'github' }) });
  return {
    application: onFirstUse(() => vercelApplication(config, env, logger)),
    code: new GitCodeRollback({
      services: config.services,
      workspaceDir: join(config.env.ROLLBACK_DATA_DIR, 'git'),
      logger: logger.child({ adapter: 'git' }),
      env,
      pullRequests: (service) => github.pullRequests(service),
    }),
    schema: new PrismaSchemaAdapter({
      logger: logger.child({ adapter: 'schema' }),
      clock: systemClock,
      shadow: { serverUrl: options.shadowServerUrl },
    }),
    clock: systemClock,
  };
}

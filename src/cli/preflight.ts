/**
 * `rollback-bot preflight <service> [--candidate <commit>] [--production-env <file>] [--format text|json]`
 * The runbook's pre-deployment checklist for CI. Exit status: 1 when a check
 * fails, 0 otherwise (skips included), 2 on a usage or configuration error.
 */
import { readFileSync } from 'node:fs';
import { webApi } from '@slack/bolt';
import { join, resolve } from 'node:path';
import { type AppConfig, loadServicesFile, parseEnv } from '../config/load-config';
import { findService } from '../rollback/services';
import { unavailableCapabilities } from '../config/credentials';
import type { ServiceConfig } from '../config/service-schema';
import { createLogger, scrubSecrets } from '../logger';
import type { Clock } from '../rollback/clock';
import { RollbackError, isRollbackError } from '../rollback/errors';
import { parseEnvNames, parseNameList } from '../rollback/preflight/env-names';
import { reportToJson, reportToText } from '../rollback/preflight/format-report';
import { runPreflight } from '../rollback/preflight/run-preflight';
import { GitRepoFiles, sqlLinter } from '../preflight-adapters';
import { GitHubCiStatus } from '../github/ci-status';
import { GitHubAccess } from '../github/github-access';
import { slackClientOptions } from '../slack/app';
import { boltLogger } from '../slack/bolt-logger';
import { alertsChannelCheck } from '../slack/membership';
import { defaultAdapters } from '../default-adapters';
import { isFormat, readArgs, readFormat } from './args';

export interface CliIo {
  stdout(s: string): void;
  stderr(s: string): void;
  env: NodeJS.ProcessEnv;
}

/** Dependencies a caller may replace (the drill's simulated time, tests). */
interface PreflightOverrides {
  readonly clock?: Clock;
}

export const PREFLIGHT_USAGE =
  'Usage: rollback-bot preflight <service> [--candidate <commit>] [--production-env <file>] [--format text|json]\n' +
  '  --candidate       commit to be deployed (default: the deploy branch head)\n' +
  '  --production-env  file naming the variables set in production (NAME or ' +
  'NAME=value per line; values are ignored);\n' +
  '                    or set ROLLBACK_PREFLIGHT_ENV_NAMES to a comma-separated ' +
  'list. Without either, that check is skipped.\n';

interface PreflightArgs {
  service: string;
  format: 'text' | 'json';
  candidate?: string;
  productionEnvFile?: string;
}

function parseArgs(argv: readonly string[]): PreflightArgs | string {
  const read = readArgs(argv, ['format', 'candidate', 'production-env']);
  if (typeof read === 'string') return read;
  const format = readFormat(read.values.format);
  if (!isFormat(format)) return format;
  const [service, ...extra] = read.positionals;
  if (!service || extra.length > 0) return 'name exactly one service';
  return { service, format, candidate: read.values.candidate, productionEnvFile: read.values['production-env'] };
}

function productionEnvNames(args: PreflightArgs, env: NodeJS.ProcessEnv): string[] | undefined {
  if (args.productionEnvFile !== undefined) {
    try {
      return parseEnvNames(readFileSync(args.productionEnvFile, 'utf8'));
    } catch (error) {
      throw new RollbackError('config_invalid', `Cannot read ${args.productionEnvFile}: ${(error as Error).message}`, {
        fix: 'Pass a file that lists the production variable names, one per line.',
      });
    }
  }
  const listed = env.ROLLBACK_PREFLIGHT_ENV_NAMES;
  return listed === undefined || listed.trim() === '' ? undefined : parseNameList(listed);
}

interface Prepared {
  config: AppConfig;
  service: ServiceConfig;
  envNames: string[] | undefined;
}

function prepare(args: PreflightArgs, env: NodeJS.ProcessEnv): Prepared {
  const parsed = parseEnv(env);
  const configPath = resolve(parsed.ROLLBACK_CONFIG);
  const services = loadServicesFile(configPath);
  const service = findService(services, args.service);
  if (parsed.VERCEL_TOKEN === undefined) {
    throw new RollbackError(
      'config_invalid',
      'VERCEL_TOKEN is not set: the checklist reads production and the rollback target from Vercel.',
      {
        fix: 'Set VERCEL_TOKEN to a token with access to the project (Vercel account settings, Tokens).',
      },
    );
  }
  // Only this service's adapters are built: CI need not hold the git credentials of every other service.
  return { config: { env: parsed, services: [service], configPath }, service, envNames: productionEnvNames(args, env) };
}

function explain(error: unknown): string {
  return scrubSecrets(
    isRollbackError(error) ? error.explain() : error instanceof Error ? error.message : String(error),
  );
}

export async function run(argv: string[], io: CliIo, overrides: PreflightOverrides = {}): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    io.stderr(`preflight: ${args}\n${PREFLIGHT_USAGE}`);
    return 2;
  }
  let prepared: Prepared;
  try {
    prepared = prepare(args, io.env);
  } catch (error) {
    io.stderr(`preflight: ${explain(error)}\n`);
    return 2;
  }
  const { config, service, envNames } = prepared;
  // Logs go to stderr so a JSON report on stdout stays parseable; quiet unless LOG_LEVEL asks.
  const logger = createLogger(io.env.LOG_LEVEL ? config.env.LOG_LEVEL : 'warn', {
    write: (line: string) => io.stderr(line),
  });
  try {
    const adapters = defaultAdapters(config, io.env, logger);
    const token = config.env.SLACK_BOT_TOKEN;
    const slack = token
      ? new webApi.WebClient(token, { ...slackClientOptions(config.env.SLACK_API_URL), logger: boltLogger(logger) })
      : undefined;
    const report = await runPreflight(
      {
        application: adapters.application,
        code: adapters.code,
        repoFiles: new GitRepoFiles({
          workspaceDir: join(config.env.ROLLBACK_DATA_DIR, 'git'),
          env: io.env,
          logger: logger.child({ adapter: 'git' }),
        }),
        linter: sqlLinter,
        clock: overrides.clock ?? adapters.clock,
        ci: new GitHubCiStatus(
          new GitHubAccess({ env: io.env, apiUrl: io.env.GITHUB_API_URL, logger: logger.child({ adapter: 'github' }) }),
        ),
        alertsChannel: alertsChannelCheck(slack),
      },
      {
        service,
        unavailable: unavailableCapabilities(service, io.env),
        ...(args.candidate === undefined ? {} : { candidate: args.candidate }),
        ...(envNames === undefined ? {} : { productionEnvNames: envNames }),
      },
    );
    io.stdout(args.format === 'json' ? `${reportToJson(report)}\n` : reportToText(report));
    return report.passed ? 0 : 1;
  } catch (error) {
    io.stderr(`preflight: ${explain(error)}\n`);
    return 2;
  }
}

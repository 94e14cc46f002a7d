/**
 * Configuration in one place: the environment (secrets, endpoints) and the
 * services file it points at, parsed with zod into one frozen object.
 * Nothing here runs at import time.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { RollbackError } from '../rollback/errors';
import { type ServiceConfig, servicesFileSchema } from './service-schema';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const optionalUrl = optionalString.pipe(z.url({ protocol: /^https?$/ }).optional());

const envSchema = z.object({
  SLACK_BOT_TOKEN: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString,
  SLACK_API_URL: optionalUrl,
  PORT: optionalString
    .pipe(z.coerce.number<string | undefined>().int().min(0).max(65535).optional())
    .transform((v) => v ?? 3000),
  DATABASE_URL: optionalString.pipe(
    z
      .url({ protocol: /^postgres(ql)?$/, error: 'expected a URL such as postgres://user:password@host:5432/database' })
      .optional(),
  ),
  ROLLBACK_SERVER_DIR: optionalString,
  ROLLBACK_CONFIG: optionalString.transform((v) => v ?? './rollback.config.yaml'),
  ROLLBACK_DATA_DIR: optionalString.transform((v) => v ?? './.data'),
  VERCEL_TOKEN: optionalString,
  VERCEL_API_URL: optionalUrl,
  /** Where Edge Configs are read as the app reads them; default https://edge-config.vercel.com. */
  EDGE_CONFIG_READ_URL: optionalUrl,
  LOG_LEVEL: optionalString.pipe(
    z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: 'expected one of fatal, error, warn, info, debug, trace, silent',
      })
      .default('info'),
  ),
  WEBHOOK_SECRET: optionalString,
  PUBLIC_URL: optionalUrl,
  /**
   * How long a running step's lease lasts without a heartbeat: the longest a crashed worker's step waits before another
   * replica reconciles it.
   */
  STEP_LEASE_SECONDS: optionalString
    .pipe(z.coerce.number<string | undefined>().min(1).max(600).optional())
    .transform((v) => v ?? 15),
});

type EnvConfig = z.infer<typeof envSchema>;

export interface AppConfig {
  readonly env: Readonly<EnvConfig>;
  readonly services: readonly ServiceConfig[];
  readonly configPath: string;
}

/** Turns zod's issues into one line per field: "services.0.roles.cto: name at least one CTO". */
function describeIssues(error: z.ZodError, prefix = ''): string {
  return error.issues
    .map((issue) => {
      const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
      return `${field || '(root)'}: ${issue.message}`;
    })
    .join('\n');
}

export function parseEnv(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    throw new RollbackError('config_invalid', `Invalid environment:\n${describeIssues(result.error)}`, {
      fix: 'Fix the variables named above and start again.',
    });
  }
  return result.data;
}

export function parseServicesFile(text: string, source: string): ServiceConfig[] {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new RollbackError('config_invalid', `${source} is not valid YAML: ${(error as Error).message}`, {
      cause: error,
      fix: 'Fix the YAML syntax at the position given.',
    });
  }
  const result = servicesFileSchema.safeParse(raw);
  if (!result.success) {
    throw new RollbackError('config_invalid', `${source} is invalid:\n${describeIssues(result.error)}`, {
      fix: 'Each line names a field and what it expects; see "The services file" in README.md.',
    });
  }
  return result.data.services.map((service) => deepFreeze(service) as ServiceConfig);
}

export function loadServicesFile(path: string): ServiceConfig[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') {
      throw new RollbackError(
        'config_invalid',
        `The services file ${path} exists but cannot be read (${code ?? (error as Error).message}).`,
        {
          cause: error,
          fix:
            code === 'EISDIR'
              ? 'ROLLBACK_CONFIG must name a file, not a folder.'
              : `Give the user running the bot (uid ${process.getuid?.() ?? '?'}) read access to it.`,
        },
      );
    }
    throw new RollbackError('config_invalid', `Cannot read the services file ${path}: there is no such file.`, {
      cause: error,
      fix:
        'Copy rollback.config.example.yaml to rollback.config.yaml and describe your ' +
        'services, or set ROLLBACK_CONFIG to your services file.',
    });
  }
  return parseServicesFile(text, path);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = parseEnv(env);
  const configPath = resolve(parsed.ROLLBACK_CONFIG);
  const services = loadServicesFile(configPath);
  return deepFreeze({ env: parsed, services, configPath });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}

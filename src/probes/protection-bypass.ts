/**
 * Vercel Deployment Protection for every request the bot sends to the app:
 * deployment URLs answer 401/403 unless the request carries the project's
 * "Protection Bypass for Automation" secret in `x-vercel-protection-bypass`.
 * The services file names the environment variable holding it
 * (vercel.protectionBypassEnv). A 401/403 is explained with the setting to add.
 */
import type { ServiceConfig } from '../config/service-schema';
import { RollbackError } from '../rollback/errors';

const BYPASS_HEADER = 'x-vercel-protection-bypass';

/** The bypass header for this service's deployment URLs, when configured and set. */
export function bypassHeaders(
  service: ServiceConfig,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const name = service.vercel.protectionBypassEnv;
  const secret = name ? env[name] : undefined;
  return secret ? { [BYPASS_HEADER]: secret } : {};
}

/** What a 401/403 from a deployment URL means and which setting to add. */
export function protectionError(service: ServiceConfig, status: number, host: string): RollbackError {
  const name = service.vercel.protectionBypassEnv;
  const set = name !== undefined;
  const why = set
    ? `the bypass secret in ${name} was refused (or ${name} is empty in the bot's environment)`
    : 'vercel.protectionBypassEnv is not set for this service';
  return new RollbackError(
    'forbidden',
    `The deployment URL ${host} answered HTTP ${status}: Vercel Deployment Protection ` +
      `is on and ${why}, so the bot cannot read which version it serves.`,
    {
      details: { status, host },
      fix: set
        ? `Copy the current "Protection Bypass for Automation" secret (Vercel project ` +
          `settings, Deployment Protection) into ${name}.`
        : 'In the Vercel project settings (Deployment Protection) create a "Protection ' +
          'Bypass for Automation" secret, put it in an environment variable of the bot (for ' +
          'example VERCEL_PROTECTION_BYPASS) and name that variable in the services file as ' +
          'vercel.protectionBypassEnv.',
    },
  );
}

/** What every request to the app carries, and how a 401/403 from it is explained. */
export interface AppProtection {
  readonly headers: Record<string, string>;
  readonly explain: (status: number, host: string) => string;
}

export function appProtection(
  service: ServiceConfig,
  env: Readonly<Record<string, string | undefined>>,
): AppProtection {
  return {
    headers: bypassHeaders(service, env),
    explain: (status, host) => protectionError(service, status, host).explain(),
  };
}

/**
 * Requests to a deployment's own URL (its version endpoint). Vercel's
 * Deployment Protection answers them 401/403 unless they carry the project's
 * "Protection Bypass for Automation" secret in `x-vercel-protection-bypass`;
 * the services file names the environment variable holding it
 * (vercel.protectionBypassEnv). A 401/403 is explained, never read as
 * "version unknown".
 */
import type { ServiceConfig } from '../config/service-schema';
import { type FetchLike, askAppVersion } from '../probes/app-version';
import { RollbackError } from '../rollback/errors';
import type { VercelDeployment } from './schemas';

export const BYPASS_HEADER = 'x-vercel-protection-bypass';

export interface DeploymentUrlContext {
  readonly fetch: FetchLike;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where a deployment's own routes answer; default https://<host>. */
  readonly deploymentOrigin?: ((host: string) => string) | undefined;
  readonly timeoutMs: number;
}

export interface DeploymentVersion {
  readonly version: string | undefined;
  /** Why the version could not be read, in words with the fix, when the URL is protected. */
  readonly note: string | undefined;
  readonly protectedStatus: number | undefined;
}

/** The bypass header for this service's deployment URLs, when configured and set. */
export function bypassHeaders(service: ServiceConfig, env: DeploymentUrlContext['env']): Record<string, string> {
  const name = service.vercel.protectionBypassEnv;
  const secret = name ? env[name] : undefined;
  return secret ? { [BYPASS_HEADER]: secret } : {};
}

export async function deploymentVersion(ctx: DeploymentUrlContext, service: ServiceConfig, deployment: VercelDeployment): Promise<DeploymentVersion> {
  if (!deployment.url) return { version: undefined, note: undefined, protectedStatus: undefined };
  const origin = ctx.deploymentOrigin?.(deployment.url) ?? `https://${deployment.url}`;
  const answer = await askAppVersion(ctx.fetch, `${origin}${service.production.versionPath}`, ctx.timeoutMs, bypassHeaders(service, ctx.env));
  if (answer.status === 401 || answer.status === 403) {
    return { version: undefined, note: protectionError(service, answer.status, deployment.url).message, protectedStatus: answer.status };
  }
  return { version: answer.version?.version, note: undefined, protectedStatus: undefined };
}

/** What a 401/403 from a deployment URL means and which setting to add. */
export function protectionError(service: ServiceConfig, status: number, host: string): RollbackError {
  const name = service.vercel.protectionBypassEnv;
  const set = name !== undefined;
  const why = set
    ? `the bypass secret in ${name} was refused (or ${name} is empty in the bot's environment)`
    : 'vercel.protectionBypassEnv is not set for this service';
  return new RollbackError('forbidden', `The deployment URL ${host} answered HTTP ${status}: Vercel Deployment Protection is on and ${why}, so the bot cannot read which version it serves.`, {
    details: { status, host },
    fix: set
      ? `Copy the current "Protection Bypass for Automation" secret (Vercel project settings, Deployment Protection) into ${name}.`
      : 'In the Vercel project settings (Deployment Protection) create a "Protection Bypass for Automation" secret, put it in an environment variable of the bot (for example VERCEL_PROTECTION_BYPASS) and name that variable in the services file as vercel.protectionBypassEnv.',
  });
}

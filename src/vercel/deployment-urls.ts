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
import { bypassHeaders, protectionError } from '../probes/protection-bypass';
import type { VercelDeployment } from './schemas';

export { protectionError };

interface DeploymentUrlContext {
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

export async function deploymentVersion(
  ctx: DeploymentUrlContext,
  service: ServiceConfig,
  deployment: VercelDeployment,
): Promise<DeploymentVersion> {
  if (!deployment.url) return { version: undefined, note: undefined, protectedStatus: undefined };
  const origin = ctx.deploymentOrigin?.(deployment.url) ?? `https://${deployment.url}`;
  const answer = await askAppVersion(
    ctx.fetch,
    `${origin}${service.production.versionPath}`,
    ctx.timeoutMs,
    bypassHeaders(service, ctx.env),
  );
  if (answer.status === 401 || answer.status === 403) {
    return {
      version: undefined,
      note: protectionError(service, answer.status, deployment.url).message,
      protectedStatus: answer.status,
    };
  }
  return { version: answer.version?.version, note: undefined, protectedStatus: undefined };
}

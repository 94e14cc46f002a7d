/**
 * A loose view of Vercel's rolling release answer (GET /v1/projects/:id/rolling-release): only whether a release is
 * active and which deployments it moves between, read as leniently as the other Vercel answers (schemas.ts).
 */
import { z } from 'zod';
import { text } from './schemas';

const releaseRef = z.object({ id: z.string(), url: text }).passthrough();
const rollingReleaseSchema = z
  .object({
    rollingRelease: z
      .object({
        state: text,
        currentDeployment: releaseRef.nullable().optional(),
        canaryDeployment: releaseRef.nullable().optional(),
      })
      .passthrough()
      .nullable()
      .optional(),
  })
  .passthrough();

/** An active rolling release: production (`canary`) is being rolled out over `base`. */
export interface VercelRollingRelease {
  readonly baseId: string;
  readonly baseUrl: string | undefined;
  readonly canaryId: string;
  readonly canaryUrl: string | undefined;
}

/** The active release, or undefined when none is active (or the answer does not say). */
export function parseActiveRelease(body: unknown): VercelRollingRelease | undefined {
  const release = rollingReleaseSchema.safeParse(body).data?.rollingRelease;
  if (release?.state !== 'ACTIVE' || !release.currentDeployment || !release.canaryDeployment) return undefined;
  return {
    baseId: release.currentDeployment.id,
    baseUrl: release.currentDeployment.url ?? undefined,
    canaryId: release.canaryDeployment.id,
    canaryUrl: release.canaryDeployment.url ?? undefined,
  };
}

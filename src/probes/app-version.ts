/**
 * Reads an app's version endpoint (`{"version","commit","deployedAt"}` as the
 * runbook shows). Used on the production URL by verification and on a
 * deployment's own URL to learn which app version it carries.
 */
import { z } from 'zod';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

const versionSchema = z
  .object({
    version: z.union([z.string(), z.number()]).optional().nullable(),
    commit: z.string().optional().nullable(),
    deployedAt: z.string().optional().nullable(),
  })
  .passthrough();

interface AppVersion {
  readonly version: string | undefined;
  readonly commit: string | undefined;
  readonly deployedAt: string | undefined;
}

export function parseAppVersion(body: unknown): AppVersion | undefined {
  const parsed = versionSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { version, commit, deployedAt } = parsed.data;
  return {
    version: version === undefined || version === null ? undefined : String(version),
    commit: commit ?? undefined,
    deployedAt: deployedAt ?? undefined,
  };
}

interface VersionAnswer {
  readonly version: AppVersion | undefined;
  /** The HTTP status when the URL answered (401/403 from a protected Vercel deployment URL). */
  readonly status: number | undefined;
}

/** Like readAppVersion, with extra request headers, and the status when there is no version. */
export async function askAppVersion(
  fetchImpl: FetchLike,
  url: string,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<VersionAnswer> {
  try {
    const response = await fetchImpl(url, {
      headers: { accept: 'application/json', ...headers },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return { version: undefined, status: response.status };
    }
    return { version: parseAppVersion(await response.json()), status: response.status };
  } catch {
    return { version: undefined, status: undefined };
  }
}

/** Version strings compare without a leading "v": "v1.9.0" is "1.9.0". */
export function sameVersion(a: string, b: string): boolean {
  return a.trim().replace(/^v/i, '') === b.trim().replace(/^v/i, '');
}

/** Commits compare by prefix, so a short sha matches its full form. */
export function sameCommit(a: string, b: string): boolean {
  const x = a.trim().toLowerCase();
  const y = b.trim().toLowerCase();
  if (x.length < 7 || y.length < 7) return false;
  return x.startsWith(y) || y.startsWith(x);
}

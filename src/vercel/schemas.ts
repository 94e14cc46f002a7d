/**
 * Loose views of Vercel's answers: only the fields the bot reads, everything
 * optional where Vercel may leave it out, unknown fields kept and any string
 * accepted where Vercel might add an enum value. A new field mid-incident must
 * never break a rollback. The active rolling release's view is in active-release-schema.ts.
 */
import { z } from 'zod';
import { RollbackError } from '../rollback/errors';

export const text = z.string().optional().nullable();
const millis = z.number().optional().nullable();

const rawDeployment = z
  .object({
    uid: z.string().optional(),
    id: z.string().optional(),
    url: z.string().optional().nullable(),
    name: text,
    target: text,
    state: text,
    readyState: text,
    readySubstate: text,
    created: millis,
    createdAt: millis,
    ready: millis,
    /** Only list items carry it; a single deployment says the same with readySubstate. */
    isRollbackCandidate: z.boolean().optional().nullable(),
    aliasAssigned: z.union([z.boolean(), z.number()]).optional().nullable(),
    // Read leniently: an unexpected shape here must not make the whole deployment unreadable.
    aliasError: z.unknown().optional(),
    checks: z.unknown().optional(),
    seatBlock: z.unknown().optional(),
    errorMessage: text,
    projectId: text,
    creator: z
      .object({ uid: text, username: text, email: text, githubLogin: text })
      .passthrough()
      .optional()
      .nullable(),
    meta: z.record(z.string(), z.unknown()).optional().nullable(),
  })
  .passthrough();

export interface VercelDeployment {
  readonly id: string;
  readonly url: string;
  readonly name: string | undefined;
  /** "production", "staging", ... or undefined for previews. */
  readonly target: string | undefined;
  readonly state: string;
  readonly readySubstate: string | undefined;
  readonly createdAt: number;
  /** From list items only; undefined on a single deployment. */
  readonly isRollbackCandidate: boolean | undefined;
  /** Production domains point at it (Vercel's aliasAssigned). */
  readonly aliasAssigned: boolean;
  /** When its aliases were first assigned (ms), when Vercel gives the time rather than true. */
  readonly aliasAssignedAt: number | undefined;
  /** When it became READY (ms). */
  readonly readyAt: number | undefined;
  /** Why Vercel could not assign the domains, when it says. */
  readonly aliasError: string | undefined;
  /** State of Vercel's deployment-alias check (checks v2), when it ran. */
  readonly aliasCheck: string | undefined;
  /** Why a BLOCKED deployment was blocked (seatBlock.blockCode). */
  readonly blockCode: string | undefined;
  readonly errorMessage: string | undefined;
  readonly creator: string | undefined;
  readonly meta: Readonly<Record<string, string>>;
}

function toDeployment(raw: z.infer<typeof rawDeployment>): VercelDeployment | undefined {
  const id = raw.uid ?? raw.id;
  if (!id) return undefined;
  const meta: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw.meta ?? {})) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') meta[key] = String(value);
  }
  return {
    id,
    url: (raw.url ?? '').replace(/^https?:\/\//, ''),
    name: raw.name ?? undefined,
    target: raw.target ?? undefined,
    state: raw.readyState ?? raw.state ?? 'UNKNOWN',
    readySubstate: raw.readySubstate ?? undefined,
    createdAt: raw.createdAt ?? raw.created ?? 0,
    isRollbackCandidate: raw.isRollbackCandidate ?? undefined,
    aliasAssigned: Boolean(raw.aliasAssigned),
    aliasAssignedAt: typeof raw.aliasAssigned === 'number' && raw.aliasAssigned > 0 ? raw.aliasAssigned : undefined,
    readyAt: raw.ready ?? undefined,
    aliasError: raw.aliasError
      ? (stringAt(raw.aliasError, 'message') ?? stringAt(raw.aliasError, 'code') ?? String(raw.aliasError))
      : undefined,
    aliasCheck: stringAt(objectAt(raw.checks, 'deployment-alias'), 'state'),
    blockCode: stringAt(raw.seatBlock, 'blockCode'),
    errorMessage: raw.errorMessage ?? undefined,
    creator: raw.creator?.username ?? raw.creator?.email ?? raw.creator?.githubLogin ?? raw.creator?.uid ?? undefined,
    meta,
  };
}

function objectAt(value: unknown, key: string): unknown {
  return value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}

function stringAt(value: unknown, key: string): string | undefined {
  const found = objectAt(value, key);
  return typeof found === 'string' ? found : undefined;
}

const listSchema = z
  .object({
    deployments: z.array(z.unknown()),
    pagination: z.object({ next: z.number().optional().nullable() }).passthrough().optional().nullable(),
  })
  .passthrough();

export interface DeploymentPage {
  readonly deployments: VercelDeployment[];
  readonly next: number | undefined;
}

export function parseDeploymentPage(body: unknown): DeploymentPage {
  const parsed = expect(listSchema, body, 'deployment list');
  const deployments: VercelDeployment[] = [];
  for (const item of parsed.deployments) {
    const one = rawDeployment.safeParse(item);
    const deployment = one.success ? toDeployment(one.data) : undefined;
    if (deployment) deployments.push(deployment);
  }
  return { deployments, next: parsed.pagination?.next ?? undefined };
}

export function parseDeployment(body: unknown): VercelDeployment {
  const deployment = toDeployment(expect(rawDeployment, body, 'deployment'));
  if (!deployment) throw malformed('deployment', 'it has no id');
  return deployment;
}

const aliasRequestSchema = z
  .object({
    type: z.string(),
    toDeploymentId: z.string(),
    fromDeploymentId: text,
    jobStatus: z.string().optional().nullable(),
    requestedAt: z.number(),
  })
  .passthrough();

const projectSchema = z
  .object({
    id: z.string(),
    name: text,
    autoAssignCustomDomains: z.boolean().optional().nullable(),
    lastAliasRequest: z.unknown().optional(),
    targets: z.object({ production: z.unknown().optional().nullable() }).passthrough().optional().nullable(),
    alias: z.array(z.unknown()).optional().nullable(),
    rollingRelease: z
      .object({ stages: z.array(z.unknown()).optional().nullable() })
      .passthrough()
      .optional()
      .nullable(),
  })
  .passthrough();

export interface VercelAliasRequest {
  readonly type: string;
  readonly toDeploymentId: string;
  readonly fromDeploymentId: string | undefined;
  readonly jobStatus: string;
  readonly requestedAt: number;
}

export interface VercelProject {
  readonly id: string;
  readonly name: string | undefined;
  /** False after an instant rollback: new production builds are not assigned until a promote. */
  readonly autoAssignCustomDomains: boolean;
  readonly production: VercelDeployment | undefined;
  readonly lastAliasRequest: VercelAliasRequest | undefined;
  readonly domains: readonly string[];
  /**
   * The project's rolling release configuration (`project.rollingRelease`): "off" when Vercel says none is
   * configured (null, or no stages), so no release can be active; "unknown" when the answer does not say.
   */
  readonly rollingRelease: 'configured' | 'off' | 'unknown';
}

export function parseProject(body: unknown): VercelProject {
  const raw = expect(projectSchema, body, 'project');
  const request = aliasRequestSchema.safeParse(raw.lastAliasRequest);
  const production = rawDeployment.safeParse(raw.targets?.production);
  const domains: string[] = [];
  for (const entry of raw.alias ?? []) {
    if (typeof entry === 'string') domains.push(entry);
    else if (entry && typeof entry === 'object' && typeof (entry as { domain?: unknown }).domain === 'string') {
      domains.push((entry as { domain: string }).domain);
    }
  }
  return {
    id: raw.id,
    name: raw.name ?? undefined,
    autoAssignCustomDomains: raw.autoAssignCustomDomains !== false,
    rollingRelease:
      raw.rollingRelease === undefined
        ? 'unknown'
        : raw.rollingRelease && (raw.rollingRelease.stages?.length ?? 0) > 0
          ? 'configured'
          : 'off',
    production: production.success ? toDeployment(production.data) : undefined,
    lastAliasRequest: request.success
      ? {
          type: request.data.type,
          toDeploymentId: request.data.toDeploymentId,
          fromDeploymentId: request.data.fromDeploymentId ?? undefined,
          jobStatus: request.data.jobStatus ?? 'pending',
          requestedAt: request.data.requestedAt,
        }
      : undefined,
    domains,
  };
}

const aliasStatusSchema = z
  .object({
    // `alias` is a string (promote/aliases) or `{alias, deploymentId}` (rollback/aliases).
    aliases: z.array(z.object({ alias: z.unknown().optional(), status: text }).passthrough()).optional(),
    pagination: z.object({ next: z.number().optional().nullable() }).passthrough().optional().nullable(),
  })
  .passthrough();

interface AliasStatusPage {
  readonly aliases: { alias: string; status: string }[];
  readonly next: number | undefined;
}

export function parseAliasStatusPage(body: unknown): AliasStatusPage {
  const raw = expect(aliasStatusSchema, body ?? {}, 'alias status list');
  return {
    aliases: (raw.aliases ?? []).flatMap((a) => {
      const alias = typeof a.alias === 'string' ? a.alias : stringAt(a.alias, 'alias');
      return alias === undefined ? [] : [{ alias, status: a.status ?? 'unknown' }];
    }),
    next: raw.pagination?.next ?? undefined,
  };
}

const membersSchema = z
  .object({ members: z.array(z.object({ email: z.string().optional() }).passthrough()) })
  .passthrough();

export function parseMemberEmails(body: unknown): string[] {
  return expect(membersSchema, body, 'team member list').members.flatMap((m) => (m.email ? [m.email] : []));
}

function expect<T extends z.ZodType>(schema: T, body: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw malformed(what, parsed.error.issues[0]?.message ?? 'unexpected shape');
  return parsed.data;
}

function malformed(what: string, why: string): RollbackError {
  return new RollbackError('external', `Vercel answered with a ${what} the bot cannot read (${why}).`, {
    retryable: true,
    fix: 'This is usually a passing Vercel fault; try again. If it persists, the Vercel API changed: report it.',
  });
}

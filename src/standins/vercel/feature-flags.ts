/**
 * The stand-in's Vercel Flags: a project's feature flags, read and patched as
 * @vercel/sdk's featureFlags.getFlag / updateFlag do
 * (/v1/projects/{projectIdOrName}/feature-flags/flags/{flagIdOrSlug}). A flag
 * has variants and, per environment, whether it is active (its rules and
 * fallthrough decide) or paused (everyone gets `pausedOutcome`'s variant).
 */
import type { ServerResponse } from 'node:http';
import type { Clock } from '../../rollback/clock';
import type { ApiRequest } from './api-routes';
import { parseJson, sendError, sendJson } from './http-util';

interface Variant {
  readonly id: string;
  readonly label?: string;
  readonly value: unknown;
}

interface Outcome {
  readonly type: 'variant';
  readonly variantId: string;
}

interface FlagEnvironment {
  readonly active: boolean;
  readonly pausedOutcome: Outcome;
  readonly fallthrough: Outcome;
  readonly rules: readonly unknown[];
  readonly revision?: number;
}

interface StandinFlag {
  readonly id: string;
  readonly slug: string;
  readonly kind: 'boolean';
  readonly description?: string;
  readonly variants: readonly Variant[];
  environments: Record<string, FlagEnvironment>;
  readonly createdAt: number;
  readonly createdBy: string;
  updatedAt: number;
  readonly ownerId: string;
  readonly projectId: string;
  revision: number;
  readonly seed: number;
  readonly state: 'active';
  readonly typeName: 'flag';
}

const PATH = /^\/v1\/projects\/([^/]+)\/feature-flags\/flags\/([^/]+)$/;

export class FeatureFlagsState {
  private readonly flags = new Map<string, StandinFlag>();

  constructor(
    private readonly clock: Clock,
    private readonly project: { readonly id: string; readonly name: string; readonly teamId?: string },
  ) {}

  /** A boolean flag with variants "on" (true) and "off" (false), active and serving "on" in every environment. */
  createBoolean(slug: string, environments: readonly string[] = ['production', 'preview', 'development']): StandinFlag {
    const at = this.clock.now().getTime();
    const serve = (variantId: string): Outcome => ({ type: 'variant', variantId });
    const flag: StandinFlag = {
      id: `flag_${slug.replace(/[^\w]/g, '')}`,
      slug,
      kind: 'boolean',
      variants: [
        { id: 'off', label: 'Off', value: false },
        { id: 'on', label: 'On', value: true },
      ],
      environments: Object.fromEntries(
        environments.map((env) => [
          env,
          { active: true, pausedOutcome: serve('off'), fallthrough: serve('on'), rules: [] },
        ]),
      ),
      createdAt: at,
      createdBy: 'usr_standin',
      updatedAt: at,
      ownerId: this.project.teamId ?? 'usr_standin',
      projectId: this.project.id,
      revision: 1,
      seed: 42,
      state: 'active',
      typeName: 'flag',
    };
    this.flags.set(slug, flag);
    return flag;
  }

  find(idOrSlug: string): StandinFlag | undefined {
    return this.flags.get(idOrSlug) ?? [...this.flags.values()].find((f) => f.id === idOrSlug);
  }

  /** What everyone in the environment gets now: the paused outcome, or the fallthrough (no rules here). */
  served(idOrSlug: string, environment: string): unknown {
    const flag = this.find(idOrSlug);
    const env = flag?.environments[environment];
    if (!flag || !env) return undefined;
    const outcome = env.active ? env.fallthrough : env.pausedOutcome;
    return flag.variants.find((v) => v.id === outcome.variantId)?.value;
  }

  isProject(idOrName: string): boolean {
    return idOrName === this.project.id || idOrName === this.project.name;
  }

  /** Applies a PATCH body; a problem is the message of a 400. */
  patch(flag: StandinFlag, body: unknown): string | undefined {
    const environments = (body as { environments?: unknown } | undefined)?.environments;
    if (environments === undefined) return undefined;
    if (!environments || typeof environments !== 'object') return 'Invalid request: `environments` should be an object';
    const next: Record<string, FlagEnvironment> = { ...flag.environments };
    for (const [name, raw] of Object.entries(environments as Record<string, unknown>)) {
      const env = (raw ?? {}) as Record<string, unknown>;
      if (typeof env.active !== 'boolean')
        return `Invalid request: \`environments.${name}.active\` should be a boolean`;
      if (!Array.isArray(env.rules)) return `Invalid request: \`environments.${name}.rules\` should be an array`;
      for (const key of ['pausedOutcome', 'fallthrough'] as const) {
        const outcome = env[key] as Partial<Outcome> | undefined;
        if (outcome?.type !== 'variant' || !flag.variants.some((v) => v.id === outcome.variantId)) {
          return `Invalid request: \`environments.${name}.${key}\` should name a variant of the flag`;
        }
      }
      const revision = (flag.environments[name]?.revision ?? 0) + 1;
      next[name] = { ...(env as unknown as FlagEnvironment), revision };
    }
    flag.environments = next;
    flag.revision += 1;
    flag.updatedAt = this.clock.now().getTime();
    return undefined;
  }
}

/** The REST routes; true when the path was one of them (answered). */
export function handleFeatureFlags(
  flags: FeatureFlagsState,
  request: ApiRequest,
  res: ServerResponse,
  teamOk: () => boolean,
): boolean {
  const match = PATH.exec(request.path);
  if (!match) return false;
  const [, project = '', idOrSlug = ''] = match;
  if (!teamOk()) return true;
  const flag = flags.isProject(decodeURIComponent(project)) ? flags.find(decodeURIComponent(idOrSlug)) : undefined;
  if (!flag) {
    sendError(res, 404, 'not_found', 'Flag not found');
    return true;
  }
  if (request.method === 'GET') {
    sendJson(res, 200, flag);
  } else if (request.method === 'PATCH') {
    const problem = flags.patch(flag, parseJson(request.body));
    if (problem) sendError(res, 400, 'bad_request', problem);
    else sendJson(res, 200, flag);
  } else {
    sendError(res, 405, 'method_not_allowed', `${request.method} is not allowed here`);
  }
  return true;
}

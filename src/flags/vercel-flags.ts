/**
 * Feature flags of Vercel Flags (a project's flags). Off pauses the flag in its
 * environment with `pausedOutcome` set to the configured off variant, so
 * everyone gets that variant; on makes it active again (its rules and
 * fallthrough decide, untouched). The flag is read back until the environment
 * says so. Vercel's refusals get a fix naming the services-file field.
 */
import type { ServiceConfig, VercelFlag } from '../config/service-schema';
import type { Logger } from '../logger';
import { RollbackError, isRollbackError } from '../rollback/errors';
import type { FlagOutcome, FlagReading, FlagState } from '../rollback/ports/flags';
import { flagToken } from './flag-token';
import { type FetchLike, type Sleep, VercelHttp, realSleep } from '../vercel/http';

interface VercelFlagsOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly apiUrl?: string;
  readonly fetch?: FetchLike;
  readonly sleep?: Sleep;
  readonly now?: () => number;
  readonly readIntervalMs?: number;
  readonly logger?: Logger;
}

interface Environment {
  active: boolean;
  pausedOutcome: { type: string; variantId: string };
  [field: string]: unknown;
}

interface RemoteFlag {
  variants?: { id: string; value?: unknown }[];
  environments?: Record<string, Environment>;
}

const variantIds = (remote: RemoteFlag): string => remote.variants?.map((v) => v.id).join(', ') || 'none';
const environmentNames = (remote: RemoteFlag): string => Object.keys(remote.environments ?? {}).join(', ') || 'none';

export class VercelFlags {
  private readonly sleep: Sleep;
  private readonly now: () => number;

  constructor(private readonly options: VercelFlagsOptions) {
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
  }

  async set({
    service,
    flag,
    state,
  }: {
    service: ServiceConfig;
    flag: VercelFlag;
    state: FlagState;
  }): Promise<FlagOutcome> {
    const { environment, offVariant } = flag.vercelFlags;
    const remote = await this.get(service, flag);
    const current = this.environmentOf(remote, flag);
    if (!remote.variants?.some((v) => v.id === offVariant)) {
      throw new RollbackError(
        'config_invalid',
        `Vercel's flag ${flag.vercelFlags.flag} has no variant "${offVariant}"; nothing was changed.`,
        {
          details: { flag: flag.name, variants: variantIds(remote) },
          fix: `Set vercelFlags.offVariant of ${flag.name} to one of: ${variantIds(remote)}.`,
        },
      );
    }
    const next = { ...current, active: state === 'on', pausedOutcome: { type: 'variant', variantId: offVariant } };
    await this.call(service, flag, `turn ${flag.name} ${state}`, {
      method: 'PATCH',
      body: { environments: { [environment]: next }, message: `rollback-bot: ${flag.name} ${state}` },
    });
    const written = this.now();
    const deadline = written + flag.readBackSeconds * 1000;
    for (let reads = 1; ; reads += 1) {
      const reading = await this.read(service, flag);
      if (reading.state === state) {
        return { value: reading.value, readBackFrom: 'api', reads, shownAfterMs: this.now() - written };
      }
      if (this.now() >= deadline) {
        throw new RollbackError(
          'timeout',
          `Vercel accepted ${flag.name} ${state} but it still reads ${reading.state} after ${reads} reads.`,
          {
            retryable: true,
            fix: 'Check the flag in the Vercel dashboard (Flags) and run the same command again: it is safe to repeat.',
          },
        );
      }
      await this.sleep(Math.min(this.options.readIntervalMs ?? 500, Math.max(0, deadline - this.now())));
    }
  }

  async read(service: ServiceConfig, flag: VercelFlag): Promise<FlagReading> {
    const remote = await this.get(service, flag);
    const env = this.environmentOf(remote, flag);
    const paused = !env.active && env.pausedOutcome.variantId === flag.vercelFlags.offVariant;
    const served = remote.variants?.find((v) => v.id === env.pausedOutcome.variantId)?.value;
    return {
      state: env.active ? 'on' : paused ? 'off' : 'unknown',
      value: env.active ? { active: true } : { active: false, serves: served },
    };
  }

  private async get(service: ServiceConfig, flag: VercelFlag): Promise<RemoteFlag> {
    return (await this.call(service, flag, `read ${flag.name}`, {})).body as RemoteFlag;
  }

  private environmentOf(remote: RemoteFlag, flag: VercelFlag): Environment {
    const env = remote.environments?.[flag.vercelFlags.environment];
    if (env) return env;
    throw new RollbackError(
      'not_found',
      `Vercel's flag ${flag.vercelFlags.flag} has no environment "${flag.vercelFlags.environment}".`,
      {
        fix: `Set vercelFlags.environment of ${flag.name} to one of: ${environmentNames(remote)}.`,
      },
    );
  }

  private async call(
    service: ServiceConfig,
    flag: VercelFlag,
    what: string,
    call: { method?: 'PATCH'; body?: unknown },
  ) {
    const { tokenEnv, projectId, teamId, flag: slug } = flag.vercelFlags;
    const token = flagToken(this.options.env, tokenEnv, flag, 'the project and its flags');
    const http = new VercelHttp({
      token,
      baseUrl: this.options.apiUrl,
      sleep: this.sleep,
      now: this.now,
      logger: this.options.logger,
    });
    const project = encodeURIComponent(projectId ?? service.vercel.projectId);
    try {
      return await http.call(`/v1/projects/${project}/feature-flags/flags/${encodeURIComponent(slug)}`, {
        ...call,
        teamId: teamId ?? service.vercel.teamId,
        what,
      });
    } catch (error) {
      if (!isRollbackError(error) || (error.code !== 'not_found' && error.code !== 'forbidden')) throw error;
      const fix =
        error.code === 'not_found'
          ? `Check vercelFlags.flag (${slug}) and vercelFlags.projectId of ${flag.name} in the services file.`
          : `The token in ${tokenEnv} may not use the project's flags: ` +
            'check vercelFlags.teamId (default vercel.teamId).';
      throw new RollbackError(error.code, error.message, {
        cause: error,
        details: { ...error.details, flag: flag.name },
        fix,
      });
    }
  }
}

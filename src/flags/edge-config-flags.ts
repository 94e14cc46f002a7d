/**
 * Feature flags held in a Vercel Edge Config item. A change is one
 * `PATCH /v1/edge-config/{id}/items` upsert (safe to repeat), then the item is
 * read back until it shows the new value: where the app reads it (the Edge
 * Config read endpoint, eventually consistent) when the flag names a read
 * token, otherwise from the REST API. Failures become RollbackErrors whose fix
 * names the services-file field or the env var to look at.
 */
import type { EdgeConfigFlag, ServiceConfig } from '../config/service-schema';
import type { Logger } from '../logger';
import { RollbackError, isRollbackError } from '../rollback/errors';
import type { FlagOutcome, FlagReading, FlagState } from '../rollback/ports/flags';
import { stateOf } from '../rollback/ports/flags';
import { flagToken } from './flag-token';
import { type FetchLike, type Sleep, VercelHttp, realSleep } from '../vercel/http';

interface EdgeConfigFlagsOptions {
  /** Where the tokens named by tokenEnv / readTokenEnv are read. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** VERCEL_API_URL; default https://api.vercel.com. */
  readonly apiUrl?: string;
  /** EDGE_CONFIG_READ_URL; default https://edge-config.vercel.com. */
  readonly readUrl?: string;
  readonly fetch?: FetchLike;
  readonly sleep?: Sleep;
  readonly now?: () => number;
  /** Pause between read-backs (default 500 ms). */
  readonly readIntervalMs?: number;
  readonly logger?: Logger;
}

const show = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value).slice(0, 80));

/** The Edge Config provider; ProviderFlags routes each flag to its provider. */
export class EdgeConfigFlags {
  private readonly fetchImpl: FetchLike;
  private readonly sleep: Sleep;
  private readonly now: () => number;

  constructor(private readonly options: EdgeConfigFlagsOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
  }

  async set(change: { service: ServiceConfig; flag: EdgeConfigFlag; state: FlagState }): Promise<FlagOutcome> {
    const { service, flag, state } = change;
    const http = this.http(flag);
    const readToken = this.readToken(flag);
    const { id, key } = flag.edgeConfig;
    const value = flag.values[state];
    await this.guard(flag, `turn ${flag.name} ${state} (Edge Config ${id}, item ${key})`, (what) =>
      http.call(`/v1/edge-config/${id}/items`, {
        method: 'PATCH',
        teamId: this.teamOf(service, flag),
        body: { items: [{ operation: 'upsert', key, value }] },
        what,
      }),
    );
    const written = this.now();
    const deadline = written + flag.readBackSeconds * 1000;
    let reads = 0;
    let seen: unknown;
    for (;;) {
      reads += 1;
      seen = readToken ? await this.readEdge(flag, readToken, deadline) : (await this.readApi(service, flag)).value;
      if (JSON.stringify(seen) === JSON.stringify(value)) {
        return { value, readBackFrom: readToken ? 'edge' : 'api', reads, shownAfterMs: this.now() - written };
      }
      if (this.now() >= deadline) break;
      await this.sleep(Math.min(this.options.readIntervalMs ?? 500, Math.max(0, deadline - this.now())));
    }
    throw new RollbackError(
      'timeout',
      `Vercel accepted ${flag.name} ${state} (${key} = ${show(value)} in Edge Config ${id}), but after ` +
        `${flag.readBackSeconds} s and ${reads} reads it still reads ${show(seen)}` +
        `${readToken ? ' where the app reads it' : ''}.`,
      {
        retryable: true,
        details: { flag: flag.name, edgeConfigId: id, key, reads },
        fix:
          'Check the item in the Vercel dashboard (Storage, Edge Config) and run the same command again: ' +
          'it is safe to repeat.',
      },
    );
  }

  async read(service: ServiceConfig, flag: EdgeConfigFlag): Promise<FlagReading> {
    const { value } = await this.readApi(service, flag);
    return { state: stateOf(flag, value), value };
  }

  private async readApi(service: ServiceConfig, flag: EdgeConfigFlag): Promise<{ value: unknown }> {
    const http = this.http(flag);
    const { id, key } = flag.edgeConfig;
    const what = `read ${flag.name} (Edge Config ${id}, item ${key})`;
    const answer = await this.guard(flag, what, (w) =>
      http.call(`/v1/edge-config/${id}/item/${encodeURIComponent(key)}`, {
        teamId: this.teamOf(service, flag),
        what: w,
      }),
    );
    return { value: (answer.body as { value?: unknown } | undefined)?.value };
  }

  /** One read where the app reads; network trouble and 5xx count as "not yet" until the deadline. */
  private async readEdge(flag: EdgeConfigFlag, token: string, deadline: number): Promise<unknown> {
    const { id, key } = flag.edgeConfig;
    const base = (this.options.readUrl ?? 'https://edge-config.vercel.com').replace(/\/+$/, '');
    let response: Response;
    try {
      response = await this.fetchImpl(`${base}/${id}/item/${encodeURIComponent(key)}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(Math.max(1000, Math.min(10_000, deadline - this.now()))),
      });
    } catch (error) {
      this.options.logger?.warn({ err: error, flag: flag.name }, 'edge config read failed, reading again');
      return undefined;
    }
    const text = await response.text().catch(() => '');
    if (response.status === 401 || response.status === 403) {
      throw new RollbackError(
        'forbidden',
        `The Edge Config read endpoint refused the token in ${flag.edgeConfig.readTokenEnv ?? ''} for ${id}, ` +
          `so ${flag.name} could not be read back (it was written).`,
        {
          details: { flag: flag.name, status: response.status },
          fix:
            `Set ${flag.edgeConfig.readTokenEnv ?? 'readTokenEnv'} to a read access token of Edge Config ${id} ` +
            '(Vercel dashboard, Storage, Edge Config, Tokens).',
        },
      );
    }
    if (response.status !== 200) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  }

  private teamOf(service: ServiceConfig, flag: EdgeConfigFlag): string | undefined {
    return flag.edgeConfig.teamId ?? service.vercel.teamId;
  }

  private http(flag: EdgeConfigFlag): VercelHttp {
    const name = flag.edgeConfig.tokenEnv;
    const token = flagToken(this.options.env, name, flag, `Edge Config ${flag.edgeConfig.id}`);
    return new VercelHttp({
      token,
      baseUrl: this.options.apiUrl,
      sleep: this.sleep,
      now: this.now,
      logger: this.options.logger,
    });
  }

  private readToken(flag: EdgeConfigFlag): string | undefined {
    const name = flag.edgeConfig.readTokenEnv;
    if (name === undefined) return undefined;
    const token = this.options.env[name]?.trim();
    if (!token) {
      throw new RollbackError(
        'config_invalid',
        `${name} is not set, so the bot could not read ${flag.name} back where the app reads it; nothing was changed.`,
        {
          details: { missingEnv: name, flag: flag.name },
          fix:
            `Set ${name} to a read access token of Edge Config ${flag.edgeConfig.id}, ` +
            'or remove edgeConfig.readTokenEnv to read it back from the REST API.',
        },
      );
    }
    return token;
  }

  /** Vercel's refusals, re-worded for a flag: which services-file field or env var to check. */
  private async guard<T>(flag: EdgeConfigFlag, what: string, call: (what: string) => Promise<T>): Promise<T> {
    try {
      return await call(what);
    } catch (error) {
      if (!isRollbackError(error)) throw error;
      const { id, key, tokenEnv } = flag.edgeConfig;
      const fixes: Partial<Record<RollbackError['code'], string>> = {
        forbidden:
          `The token in ${tokenEnv} may not use Edge Config ${id}: give it access to the team that owns it ` +
          '(edgeConfig.teamId, default vercel.teamId).',
        not_found:
          `Check flags[${flag.name}].edgeConfig.id (${id}) and key (${key}) in the services file, ` +
          'and edgeConfig.teamId.',
      };
      const fix = fixes[error.code];
      if (!fix) throw error;
      throw new RollbackError(error.code, error.message, {
        cause: error,
        details: { ...error.details, flag: flag.name },
        fix,
      });
    }
  }
}

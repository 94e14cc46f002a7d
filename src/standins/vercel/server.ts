/**
 * The Vercel stand-in: a local REST API and the app it "hosts", for the
 * integration tests and the drill. Start with startVercelStandin(); point the
 * adapter at `url` (VERCEL_API_URL), the service's production URL at
 * `appUrl`, and deployment URLs through `deploymentOrigin`.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../rollback/clock';
import { checkTeam, handleApi } from './api-routes';
import { DEPLOYMENT_PREFIX, handleApp } from './app-routes';
import { handleDeploy } from './deploy-routes';
import { EdgeConfigState, handleEdgeConfigApi, handleEdgeConfigRead } from './edge-config';
import { FeatureFlagsState, handleFeatureFlags } from './feature-flags';
import { readBody, sendError } from './http-util';
import { StandinState } from './state';

export interface VercelStandinOptions {
  /** The only token the API accepts. */
  readonly token?: string;
  /** Makes the project a team project: every call must carry this teamId. */
  readonly teamId?: string;
  readonly projectId?: string;
  readonly projectName?: string;
  readonly plan?: 'hobby' | 'pro';
  readonly domains?: string[];
  readonly clock?: Clock;
  readonly random?: () => number;
  /** How the app waits for its configured latency; default a real timer. */
  readonly appSleep?: (ms: number) => Promise<void>;
  readonly healthPath?: string;
  readonly versionPath?: string;
  readonly smokeCredentials?: { email: string; password: string };
  readonly host?: string;
  /** Reads of a READY production build before its domains are assigned; default 3. */
  readonly aliasAfterPolls?: number;
  /** How long an Edge Config write takes to reach its read endpoint; default 1 s. */
  readonly edgeConfigPropagationMs?: number;
}

export interface VercelStandin {
  /** Base URL of the REST API (VERCEL_API_URL). */
  readonly url: string;
  /** The production host: answers with whichever deployment is live. */
  readonly appUrl: string;
  readonly token: string;
  readonly state: StandinState;
  /** The team's Edge Configs (REST under `url`, the read endpoint under `edgeConfigReadUrl`). */
  readonly edgeConfig: EdgeConfigState;
  /** Base of the Edge Config read endpoint (edge-config.vercel.com on Vercel). */
  readonly edgeConfigReadUrl: string;
  /** The project's Vercel Flags. */
  readonly featureFlags: FeatureFlagsState;
  /** Where a deployment's own URL answers, for VercelApplication's deploymentOrigin. */
  deploymentOrigin(host: string): string;
  stop(): Promise<void>;
}

export async function startVercelStandin(options: VercelStandinOptions = {}): Promise<VercelStandin> {
  const token = options.token ?? 'standin-token';
  const state = new StandinState(options);
  const edgeConfig = new EdgeConfigState(state.clock, options.edgeConfigPropagationMs);
  const featureFlags = new FeatureFlagsState(state.clock, state.project);
  const stores = { edgeConfig, featureFlags };
  const random = options.random ?? Math.random;
  const appOptions = {
    healthPath: options.healthPath ?? '/api/health',
    versionPath: options.versionPath ?? '/api/version',
    smokeCredentials: options.smokeCredentials,
    random,
    sleep: options.appSleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
  };

  const api = createServer((req, res) => {
    void serveApi(state, stores, token, req, res).catch((error: unknown) => fail(res, error));
  });
  const app = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://standin');
      const body = await readBody(req);
      const bypass = req.headers['x-vercel-protection-bypass'];
      await handleApp(
        state,
        req.method ?? 'GET',
        url.pathname,
        body,
        res,
        appOptions,
        typeof bypass === 'string' ? bypass : undefined,
      );
    })().catch((error: unknown) => fail(res, error));
  });
  const host = options.host ?? '127.0.0.1';
  const [apiPort, appPort] = await Promise.all([listen(api, host), listen(app, host)]);
  const appUrl = `http://${host}:${appPort}`;
  return {
    url: `http://${host}:${apiPort}`,
    appUrl,
    token,
    state,
    edgeConfig,
    edgeConfigReadUrl: `http://${host}:${apiPort}/edge-config`,
    featureFlags,
    deploymentOrigin: (deploymentHost) => `${appUrl}${DEPLOYMENT_PREFIX}${deploymentHost}`,
    stop: async () => {
      await Promise.all([close(api), close(app)]);
    },
  };
}

async function serveApi(
  state: StandinState,
  { edgeConfig, featureFlags }: { edgeConfig: EdgeConfigState; featureFlags: FeatureFlagsState },
  token: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://standin');
  const method = req.method ?? 'GET';
  const body = await readBody(req);
  state.requests.push({
    method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    body: url.pathname === '/v2/files' ? '' : body.toString('utf8'),
  });
  recordAnswer(state, method, url.pathname, res);
  const auth = req.headers.authorization;
  const request = { method, path: url.pathname, query: url.searchParams, body };
  // The Edge Config read endpoint is another host on Vercel, behind the config's own read token.
  if (handleEdgeConfigRead(edgeConfig, request, auth, res)) return;
  if (!auth) {
    return sendError(res, 403, 'forbidden', 'The request is missing an authentication token', { missingToken: true });
  }
  if (auth !== `Bearer ${token}`) {
    return sendError(res, 403, 'forbidden', 'Not authorized', { invalidToken: true });
  }
  const fault = state.takeFault(url.pathname);
  if (fault?.kind === 'drop' && !fault.afterHandling) {
    req.socket.destroy();
    return;
  }
  if (fault?.kind === 'drop') loseAnswer(req, res);
  if (fault?.kind === 'status') {
    const rateLimited = fault.status === 429;
    // Vercel's 429: the window in X-RateLimit-* headers (reset in epoch seconds), Retry-After when it says so.
    const reset = Math.ceil(state.clock.now().getTime() / 1000) + (fault.resetAfterSeconds ?? 1);
    const headers: Record<string, string> =
      rateLimited && !fault.bare
        ? {
            'x-ratelimit-limit': '100',
            'x-ratelimit-remaining': '0',
            ...(fault.resetAfterSeconds !== undefined || fault.retryAfter === undefined
              ? { 'x-ratelimit-reset': String(reset) }
              : {}),
            ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}),
          }
        : {};
    return sendError(
      res,
      fault.status,
      rateLimited ? 'rate_limited' : 'internal_server_error',
      rateLimited ? 'Rate limit exceeded' : 'An unexpected internal error occurred',
      rateLimited ? { limit: { remaining: 0, reset, total: 100 } } : {},
      headers,
    );
  }
  if (handleDeploy(state, request, req.headers, res)) return;
  if (handleApi(state, request, res)) return;
  const teamOk = () => checkTeam(state, url.searchParams, res, 'Edge Config');
  if (handleEdgeConfigApi(edgeConfig, request, res, teamOk)) return;
  if (handleFeatureFlags(featureFlags, request, res, () => checkTeam(state, url.searchParams, res, 'Flag'))) return;
  sendError(res, 404, 'not_found', `The requested path ${url.pathname} was not found`);
}

/** Keeps what is sent, as the client would read it, in `state.answers`. */
function recordAnswer(state: StandinState, method: string, path: string, res: ServerResponse): void {
  const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
  res.end = ((chunk?: unknown) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      parsed = text;
    }
    state.answers.push({ method, path, status: res.statusCode, body: parsed });
    if (state.answers.length > 2000) state.answers.shift();
    return end(chunk);
  }) as ServerResponse['end'];
}

/** The request is handled as usual, but the connection drops where its answer would be sent. */
function loseAnswer(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead = (() => res) as ServerResponse['writeHead'];
  res.end = (() => {
    req.socket.destroy();
    return res;
  }) as ServerResponse['end'];
}

function fail(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendError(
    res,
    500,
    'internal_server_error',
    `stand-in failure: ${error instanceof Error ? error.message : String(error)}`,
  );
}

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

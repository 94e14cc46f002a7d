/**
 * The GitHub stand-in: a local REST + GraphQL API over real bare git
 * repositories, for the tests and the drill. Point the adapter's apiUrl at
 * `url`. It checks the token (or a GitHub App's signed JWT, for which it
 * issues installation tokens), and can be told to fail the next calls the
 * way GitHub does (403 secondary rate limit with retry-after, 404, 422, 5xx).
 */
import { createPublicKey, createVerify, randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseJson, readBody, sendJson } from '../vercel/http-util';
import { type Answer, type RouteContext, githubError, graphqlRoute, repoRoute } from './routes';
import { StandinRepo } from './state';

interface GitHubStandinOptions {
  /** The personal access token the API accepts. */
  readonly token?: string;
  /** A GitHub App the API accepts: its id and the public half of its key. */
  readonly app?: { readonly id: string; readonly installationId: string; readonly publicKeyPem: string };
  /** Login the bot acts as. */
  readonly actor?: string;
  readonly now?: () => Date;
  readonly webUrl?: string;
}

interface Fault {
  /** "METHOD /path" is matched against this. */
  readonly match: RegExp;
  readonly status: number;
  readonly message: string;
  readonly headers?: Record<string, string>;
  /** How many calls it answers (default 1). */
  times?: number;
}

interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly body: unknown;
}

export interface GitHubStandin {
  readonly url: string;
  readonly token: string;
  readonly calls: RecordedCall[];
  readonly faults: Fault[];
  /** Serves a repository backed by the bare git repository at gitDir. */
  addRepo(owner: string, name: string, gitDir: string): StandinRepo;
  repo(owner: string, name: string): StandinRepo;
  stop(): Promise<void>;
}

function verifyAppJwt(jwt: string, app: NonNullable<GitHubStandinOptions['app']>, nowMs: number): boolean {
  const [header, payload, signature] = jwt.split('.');
  if (!header || !payload || !signature) return false;
  const verifier = createVerify('RSA-SHA256');
  verifier.update(`${header}.${payload}`);
  if (!verifier.verify(createPublicKey(app.publicKeyPem), Buffer.from(signature, 'base64url'))) return false;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: unknown; exp?: number };
  return String(claims.iss) === app.id && typeof claims.exp === 'number' && claims.exp * 1000 > nowMs;
}

export async function startGitHubStandin(options: GitHubStandinOptions = {}): Promise<GitHubStandin> {
  const token = options.token ?? 'ghp_standin0000000000000000000000000000';
  const now = options.now ?? (() => new Date());
  const repos = new Map<string, StandinRepo>();
  const installationTokens = new Set<string>();
  const calls: RecordedCall[] = [];
  const faults: Fault[] = [];
  let urls = { api: '', web: options.webUrl ?? 'https://github.com' };
  const ctx: RouteContext = {
    get urls() {
      return urls;
    },
    repo: (owner, name) => repos.get(`${owner}/${name}`.toLowerCase()),
    repos: () => [...repos.values()],
    actor: options.actor ?? 'rollback-bot[bot]',
  };

  const route = (req: IncomingMessage, body: Record<string, unknown>, url: URL): Answer => {
    const method = req.method ?? 'GET';
    const fault = faults.find((f) => f.match.test(`${method} ${url.pathname}`));
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      if (fault.times <= 0) faults.splice(faults.indexOf(fault), 1);
      return { ...githubError(fault.status, fault.message), headers: fault.headers };
    }
    const auth = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const installation = /^\/app\/installations\/([^/]+)\/access_tokens$/.exec(url.pathname);
    if (installation && method === 'POST') {
      if (!options.app || !auth || !verifyAppJwt(auth, options.app, now().getTime()))
        return githubError(401, 'A JSON web token could not be decoded');
      if (installation[1] !== options.app.installationId) return githubError(404, 'Not Found');
      const issued = `ghs_${randomBytes(18).toString('hex')}`;
      installationTokens.add(issued);
      return {
        status: 201,
        body: {
          token: issued,
          expires_at: new Date(now().getTime() + 3_600_000).toISOString(),
          permissions: {},
          repository_selection: 'all',
        },
      };
    }
    if (!auth || (auth !== token && !installationTokens.has(auth))) return githubError(401, 'Bad credentials');
    if (url.pathname === '/graphql' && method === 'POST') return graphqlRoute(ctx, body);
    const match = /^\/repos\/([^/]+)\/([^/]+)\/(.+)$/.exec(url.pathname);
    const repo = match ? ctx.repo(decodeURIComponent(match[1] ?? ''), decodeURIComponent(match[2] ?? '')) : undefined;
    if (!match || !repo) return githubError(404, 'Not Found');
    const rest = (match[3] ?? '').split('/').map(decodeURIComponent);
    return repoRoute(ctx, repo, method, rest, body, url.searchParams) ?? githubError(404, 'Not Found');
  };

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://standin');
    const raw = parseJson(await readBody(req, 5 * 1024 * 1024));
    const body = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
    let answer: Answer;
    try {
      answer = route(req, body, url);
    } catch (error) {
      answer = githubError(500, `stand-in failure: ${(error as Error).message}`);
    }
    calls.push({
      method: req.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      status: answer.status,
      body: answer.body,
    });
    sendJson(res, answer.status, answer.body, { 'x-github-media-type': 'github.v3; format=json', ...answer.headers });
  };

  const server: Server = createServer((req, res) => {
    void serve(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { message: 'stand-in failure' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  urls = { ...urls, api: url };
  return {
    url,
    token,
    calls,
    faults,
    addRepo: (owner, name, gitDir) => {
      const repo = new StandinRepo(owner, name, gitDir, now);
      repos.set(`${owner}/${name}`.toLowerCase(), repo);
      return repo;
    },
    repo: (owner, name) => {
      const repo = ctx.repo(owner, name);
      if (!repo) throw new Error(`the stand-in serves no ${owner}/${name}`);
      return repo;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A local stand-in for Slack's Web API, reached through SLACK_API_URL
 * (`${url}/api/`). It speaks the wire format (form-encoded or JSON calls,
 * `blocks` as a JSON string, HTTP 200 with ok:false for API errors, 429 with
 * Retry-After), checks tokens and Block Kit limits, and records every call so
 * tests and the drill can wait for what the bot posts.
 */
import { EventEmitter } from 'node:events';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Answer, METHODS, type Params, type Workspace } from './methods';

export interface RecordedCall {
  method: string;
  params: Params;
  answer: Answer;
  status: number;
  at: number;
}

interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
  at: number;
}

type Fault =
  | { status: 429; retryAfterSeconds: number }
  | { status: 500 | 502 | 503 }
  | { error: string }
  | { delayMs: number }
  | { drop: true };

interface SlackStandinOptions {
  token?: string;
  teamId?: string;
  users?: Record<string, { name: string; tz?: string }>;
  usergroups?: Record<string, string[]>;
  channels?: Record<string, string>;
  /** Channels that exist but the bot is not in yet: posts answer not_in_channel until setBotMember(channel, true). */
  channelsWithoutBot?: string[];
  /** Socket Mode: the app-level token apps.connections.open accepts, and the WebSocket URL it answers. */
  socket?: { appToken: string; url: string };
  /** Answer 429 when a channel gets more than this many posts in one second (Slack's guidance: 1). */
  postsPerChannelPerSecond?: number;
}

export interface SlackStandin {
  readonly url: string;
  readonly apiUrl: string;
  readonly calls: RecordedCall[];
  readonly responses: ResponseUrlPost[];
  readonly workspace: Workspace;
  responseUrl(id: string): string;
  /** Queue faults for the next calls of a method ('*' for any). */
  inject(method: string, ...faults: Fault[]): void;
  /** Someone ran /invite @rollback-bot (true) or removed the bot (false) in a channel. */
  setBotMember(channel: string, member: boolean): void;
  /** Every call fails with 503 until turned off: a Slack outage. */
  setOutage(on: boolean): void;
  waitForCall(predicate: (call: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  waitForResponse(predicate: (post: ResponseUrlPost) => boolean, timeoutMs?: number): Promise<ResponseUrlPost>;
  /** From now on the response_url of this id is refused (404 expired_url), as Slack does after 30 minutes or 5 uses. */
  expireResponseUrl(id: string): void;
  callsOf(method: string): RecordedCall[];
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseParams(req: IncomingMessage, body: string): Params | undefined {
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('application/json')) {
    try {
      return JSON.parse(body || '{}') as Params;
    } catch {
      return undefined;
    }
  }
  return Object.fromEntries(new URLSearchParams(body));
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

export async function startSlackStandin(options: SlackStandinOptions = {}): Promise<SlackStandin> {
  const token = options.token ?? 'xoxb-standin-token';
  const workspace: Workspace = {
    teamId: options.teamId ?? 'T0STANDIN',
    botUserId: 'U0ROLLBOT',
    users: new Map(
      Object.entries(options.users ?? {}).map(([id, u]) => [id, { name: u.name, tz: u.tz ?? 'America/New_York' }]),
    ),
    usergroups: new Map(Object.entries(options.usergroups ?? {})),
    channels: new Map(
      Object.entries(options.channels ?? {}).map(([id, name]) => [
        id,
        { name, botAbsent: options.channelsWithoutBot?.includes(id) ?? false },
      ]),
    ),
    messages: new Map(),
    views: new Map(),
    nextTs: 0,
  };
  const calls: RecordedCall[] = [];
  const responses: ResponseUrlPost[] = [];
  const expiredResponseUrls = new Set<string>();
  const faults = new Map<string, Fault[]>();
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const postTimes = new Map<string, number[]>();
  let outage = false;

  const takeFault = (method: string): Fault | undefined => faults.get(method)?.shift() ?? faults.get('*')?.shift();

  const overChannelRate = (method: string, params: Params): boolean => {
    const limit = options.postsPerChannelPerSecond;
    if (!limit || method !== 'chat.postMessage') return false;
    const channel = String(params.channel ?? '');
    const now = Date.now();
    const recent = (postTimes.get(channel) ?? []).filter((t) => now - t < 1000);
    if (recent.length >= limit) return true;
    postTimes.set(channel, [...recent, now]);
    return false;
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, method: string): Promise<void> => {
    const body = await readBody(req);
    const record = (params: Params, answer: Answer, status: number): void => {
      const call = { method, params, answer, status, at: Date.now() };
      calls.push(call);
      events.emit('call', call);
    };
    if (req.method !== 'POST' && req.method !== 'GET')
      return reply(res, 405, { ok: false, error: 'method_not_allowed' });
    const params = parseParams(req, body);
    if (!params) return reply(res, 200, { ok: false, error: 'invalid_json' });
    if (outage) return reply(res, 503, { ok: false, error: 'service_unavailable' });
    let fault = takeFault(method);
    if (fault && 'delayMs' in fault) {
      await new Promise((r) => setTimeout(r, fault && 'delayMs' in fault ? fault.delayMs : 0));
      fault = takeFault(method);
    }
    if (fault && 'drop' in fault) {
      req.socket.destroy();
      return undefined;
    }
    if (fault && 'status' in fault) {
      const headers: Record<string, string> =
        fault.status === 429 ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
      const answer = { ok: false, error: fault.status === 429 ? 'ratelimited' : 'internal_error' };
      record(params, answer, fault.status);
      return reply(res, fault.status, answer, headers);
    }
    const auth = req.headers.authorization;
    const given = auth?.startsWith('Bearer ')
      ? auth.slice(7)
      : typeof params.token === 'string'
        ? params.token
        : undefined;
    let answer: Answer;
    const handler = METHODS[method];
    // apps.connections.open takes the app-level token (xapp-...), every other method the bot token.
    const expected = method === 'apps.connections.open' ? options.socket?.appToken : token;
    if (!given) answer = { ok: false, error: 'not_authed' };
    else if (given !== expected) answer = { ok: false, error: 'invalid_auth' };
    else if (method === 'apps.connections.open') answer = { ok: true, url: options.socket?.url ?? '' };
    else if (!handler) answer = { ok: false, error: 'unknown_method' };
    else if (fault && 'error' in fault) answer = { ok: false, error: fault.error };
    else if (overChannelRate(method, params)) {
      const limited = { ok: false, error: 'ratelimited' };
      record(params, limited, 429);
      return reply(res, 429, limited, { 'retry-after': '1' });
    } else answer = handler(workspace, params);
    record(params, answer, 200);
    return reply(res, 200, answer);
  };

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const api = /^\/api\/([a-zA-Z.]+)$/.exec(path);
    if (api?.[1]) {
      void handleApi(req, res, api[1]);
      return;
    }
    const response = /^\/response\/([\w-]+)$/.exec(path);
    if (response?.[1] && req.method === 'POST') {
      const id = response[1];
      if (expiredResponseUrls.has(id)) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('expired_url');
        return;
      }
      void readBody(req).then((body) => {
        let parsed: Record<string, unknown>;
        try {
          parsed = JSON.parse(body) as Record<string, unknown>;
        } catch {
          return reply(res, 400, { ok: false, error: 'invalid_payload' });
        }
        const post = { id, body: parsed, at: Date.now() };
        responses.push(post);
        events.emit('response', post);
        return reply(res, 200, { ok: true });
      });
      return;
    }
    reply(res, 404, { ok: false, error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const waitFor = <T>(event: string, existing: T[], predicate: (item: T) => boolean, timeoutMs: number): Promise<T> => {
    const found = existing.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        events.off(event, listener);
        reject(new Error(`Slack stand-in: no matching ${event} within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (item: T): void => {
        if (!predicate(item)) return;
        clearTimeout(timer);
        events.off(event, listener);
        resolve(item);
      };
      events.on(event, listener);
    });
  };

  return {
    url,
    apiUrl: `${url}/api/`,
    calls,
    responses,
    workspace,
    responseUrl: (id) => `${url}/response/${id}`,
    inject: (method, ...list) => faults.set(method, [...(faults.get(method) ?? []), ...list]),
    setBotMember: (channel, member) => {
      const known = workspace.channels.get(channel);
      if (!known) throw new Error(`Slack stand-in: no channel ${channel}`);
      known.botAbsent = !member;
    },
    setOutage: (on) => {
      outage = on;
    },
    waitForCall: (predicate, timeoutMs = 5000) => waitFor('call', calls, predicate, timeoutMs),
    waitForResponse: (predicate, timeoutMs = 5000) => waitFor('response', responses, predicate, timeoutMs),
    expireResponseUrl: (id) => void expiredResponseUrls.add(id),
    callsOf: (method) => calls.filter((c) => c.method === method),
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

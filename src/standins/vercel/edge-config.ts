/**
 * The stand-in's Edge Config: the REST routes a kill switch uses (read the
 * items, read one item, patch items in batch), answering as Vercel documents
 * them, and the Edge Config read endpoint the app itself reads, which is
 * eventually consistent: a write reaches it `propagationMs` later, as Vercel
 * says updates "can take up to a few seconds to propagate globally", while the
 * REST API always answers the latest version.
 *
 * Vercel serves the REST routes under /v1/edge-config (its REST reference);
 * @vercel/sdk 1.28 names the same operations under /v1/global-config, so both
 * prefixes answer.
 */
import type { ServerResponse } from 'node:http';
import type { Clock } from '../../rollback/clock';
import type { ApiRequest } from './api-routes';
import { parseJson, sendError, sendJson } from './http-util';

interface EdgeConfigItem {
  readonly key: string;
  readonly value: unknown;
  readonly description?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

interface Version {
  readonly at: number;
  readonly items: ReadonlyMap<string, EdgeConfigItem>;
}

interface StandinEdgeConfig {
  readonly id: string;
  /** The token the read endpoint accepts (Vercel's Edge Config read access token). */
  readonly readToken: string;
  /** Every version written, oldest first: the read endpoint serves the newest one old enough. */
  readonly versions: Version[];
}

const OPERATIONS = ['create', 'update', 'upsert', 'delete'] as const;
type Operation = (typeof OPERATIONS)[number];
const KEY = /^[\w-]{1,256}$/;
const REST = /^\/v1\/(?:edge-config|global-config)\/(ecfg_[\w-]+)\/(items|item\/([^/]+))$/;
const READ = /^\/edge-config\/(ecfg_[\w-]+)\/item\/([^/]+)$/;

export class EdgeConfigState {
  private readonly configs = new Map<string, StandinEdgeConfig>();
  /** How long a write takes to reach the read endpoint. */
  propagationMs: number;

  constructor(
    private readonly clock: Clock,
    propagationMs = 1000,
  ) {
    this.propagationMs = propagationMs;
  }

  /** Creates an Edge Config with these items, already propagated. */
  create(id: string, items: Record<string, unknown>, readToken = `ecfg-read-${id}`): void {
    const at = this.clock.now().getTime() - this.propagationMs;
    const map = new Map(
      Object.entries(items).map(([key, value]) => [key, { key, value, createdAt: at, updatedAt: at }]),
    );
    this.configs.set(id, { id, readToken, versions: [{ at, items: map }] });
  }

  /** What the REST API answers: the latest version. */
  latest(id: string): ReadonlyMap<string, EdgeConfigItem> | undefined {
    return this.configs.get(id)?.versions.at(-1)?.items;
  }

  /** What the app reads now: the newest version written at least propagationMs ago. */
  propagated(id: string): ReadonlyMap<string, EdgeConfigItem> | undefined {
    const config = this.configs.get(id);
    if (!config) return undefined;
    const horizon = this.clock.now().getTime() - this.propagationMs;
    const ready = config.versions.filter((v) => v.at <= horizon);
    return (ready.at(-1) ?? config.versions[0])?.items;
  }

  readTokenOf(id: string): string | undefined {
    return this.configs.get(id)?.readToken;
  }

  /** Applies a batch all or nothing; a problem is the message of a 400. */
  patch(id: string, changes: readonly Change[]): string | undefined {
    const config = this.configs.get(id);
    const current = config?.versions.at(-1);
    if (!config || !current) return `Edge Config ${id} not found`;
    const next = new Map(current.items);
    const now = this.clock.now().getTime();
    for (const change of changes) {
      const existing = next.get(change.key);
      if (change.operation === 'create' && existing) return `Item "${change.key}" already exists`;
      if ((change.operation === 'update' || change.operation === 'delete') && !existing) {
        return `Cannot ${change.operation} item "${change.key}" because it does not exist`;
      }
      if (change.operation === 'delete') {
        next.delete(change.key);
        continue;
      }
      const description = change.description ?? existing?.description;
      next.set(change.key, {
        key: change.key,
        value: change.value,
        ...(description === undefined ? {} : { description }),
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      });
    }
    config.versions.push({ at: now, items: next });
    return undefined;
  }
}

interface Change {
  readonly operation: Operation;
  readonly key: string;
  readonly value?: unknown;
  readonly description?: string;
}

/** The body of PATCH …/items, or the reason it is refused. */
function readChanges(body: unknown): Change[] | string {
  const items = (body as { items?: unknown } | undefined)?.items;
  if (!Array.isArray(items)) return 'Invalid request: missing required property `items`';
  const changes: Change[] = [];
  for (const [index, raw] of items.entries()) {
    const item = (raw ?? {}) as Record<string, unknown>;
    const { operation, key, value, description } = item;
    if (!OPERATIONS.includes(operation as Operation)) {
      return `Invalid request: \`items[${index}].operation\` should be one of ${OPERATIONS.join(', ')}`;
    }
    if (typeof key !== 'string' || !KEY.test(key)) return `Invalid request: \`items[${index}].key\` is not a valid key`;
    if (operation !== 'delete' && !('value' in item)) return `Invalid request: \`items[${index}].value\` is required`;
    if (description !== undefined && typeof description !== 'string') {
      return `Invalid request: \`items[${index}].description\` should be a string`;
    }
    changes.push({
      operation: operation as Operation,
      key,
      value,
      ...(description === undefined ? {} : { description }),
    });
  }
  return changes;
}

function asItem(id: string, item: EdgeConfigItem): Record<string, unknown> {
  return { ...item, edgeConfigId: id };
}

/** The REST routes; true when the path was one of them (answered). `teamOk` applies Vercel's teamId rule. */
export function handleEdgeConfigApi(
  edge: EdgeConfigState,
  request: ApiRequest,
  res: ServerResponse,
  teamOk: () => boolean,
): boolean {
  const match = REST.exec(request.path);
  if (!match) return false;
  const [, id = '', what, rawKey] = match;
  if (!teamOk()) return true;
  const items = edge.latest(id);
  if (!items) {
    sendError(res, 404, 'not_found', 'Could not find the Edge Config');
    return true;
  }
  if (what === 'items' && request.method === 'GET') {
    sendJson(
      res,
      200,
      [...items.values()].map((item) => asItem(id, item)),
    );
  } else if (what === 'items' && request.method === 'PATCH') {
    const changes = readChanges(parseJson(request.body));
    const problem = typeof changes === 'string' ? changes : edge.patch(id, changes);
    if (problem) sendError(res, 400, 'bad_request', problem);
    else sendJson(res, 200, { status: 'ok' });
  } else if (rawKey !== undefined && request.method === 'GET') {
    const item = items.get(decodeURIComponent(rawKey));
    if (item) sendJson(res, 200, asItem(id, item));
    else sendError(res, 404, 'not_found', 'Could not find the Edge Config item');
  } else {
    sendError(res, 405, 'method_not_allowed', `${request.method} is not allowed here`);
  }
  return true;
}

/**
 * The read endpoint (edge-config.vercel.com/{id}/item/{key} on Vercel): the item's
 * bare JSON value as propagated so far, behind the config's read token.
 */
export function handleEdgeConfigRead(
  edge: EdgeConfigState,
  request: ApiRequest,
  authorization: string | undefined,
  res: ServerResponse,
): boolean {
  const match = READ.exec(request.path);
  if (!match || request.method !== 'GET') return false;
  const [, id = '', rawKey = ''] = match;
  const token = edge.readTokenOf(id);
  if (token === undefined) {
    sendError(res, 404, 'edge_config_not_found', 'Could not find the edge config');
    return true;
  }
  if (authorization !== `Bearer ${token}`) {
    sendError(res, 401, 'unauthorized', 'Unauthorized');
    return true;
  }
  const item = edge.propagated(id)?.get(decodeURIComponent(rawKey));
  if (item === undefined) sendError(res, 404, 'item_not_found', 'Could not find the item');
  else sendJson(res, 200, item.value);
  return true;
}

/**
 * The app as Vercel would serve it: a production host answering with
 * whichever deployment is live, and each deployment on its own URL
 * (`/_deployments/<host>/...`). Every deployment's health status, error rate,
 * latency and smoke result can be set, so tests and the drill can break
 * "production" and watch the rollback fix it.
 */
import type { ServerResponse } from 'node:http';
import { parseJson, sendJson } from './http-util';
import { servingDeployment } from './rolling-release-routes';
import type { StandinDeployment, StandinState } from './state';

interface AppOptions {
  readonly healthPath: string;
  readonly versionPath: string;
  /** When set, smoke routes that receive JSON with email/password require these. */
  readonly smokeCredentials?: { email: string; password: string };
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export const DEPLOYMENT_PREFIX = '/_deployments/';

export async function handleApp(
  state: StandinState,
  method: string,
  rawPath: string,
  body: Buffer,
  res: ServerResponse,
  options: AppOptions,
  bypass?: string,
): Promise<void> {
  let deployment: StandinDeployment | undefined;
  let path = rawPath;
  if (rawPath.startsWith(DEPLOYMENT_PREFIX)) {
    // Deployment Protection guards deployment URLs (not the production domain) unless the automation bypass secret is
    // sent.
    const secret = state.project.protectionBypass;
    if (secret !== undefined && bypass !== secret) {
      res.writeHead(401, { 'content-type': 'text/html; charset=utf-8', 'x-vercel-error': 'DEPLOYMENT_PROTECTED' });
      res.end('<!doctype html><title>Authentication Required</title><p>Vercel Authentication</p>');
      return;
    }
    const rest = rawPath.slice(DEPLOYMENT_PREFIX.length);
    const slash = rest.indexOf('/');
    const host = slash < 0 ? rest : rest.slice(0, slash);
    path = slash < 0 ? '/' : rest.slice(slash);
    deployment = state.find(host);
  } else {
    deployment = servingDeployment(state);
  }
  if (!deployment || deployment.readyState !== 'READY') {
    res.writeHead(404, { 'content-type': 'text/plain', 'x-vercel-error': 'DEPLOYMENT_NOT_FOUND' });
    res.end('The deployment could not be found on Vercel.\n\nDEPLOYMENT_NOT_FOUND\n');
    return;
  }
  const app = deployment.app;
  if (app.latencyMs > 0) await options.sleep(app.latencyMs);
  if (app.errorRate > 0 && options.random() < app.errorRate) {
    return sendJson(res, 500, { error: 'Internal Server Error' });
  }
  if (path === options.healthPath) {
    return sendJson(res, app.healthStatus, { status: app.healthStatus < 300 ? 'ok' : 'unhealthy' });
  }
  if (path === options.versionPath) {
    return sendJson(res, 200, { version: app.version, commit: app.commit, deployedAt: app.deployedAt });
  }
  if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
    const json = parseJson(body) as Record<string, unknown> | undefined;
    if (body.length > 0 && json === undefined) return sendJson(res, 400, { error: 'Body must be JSON' });
    const creds = options.smokeCredentials;
    if (creds && (json?.email !== creds.email || json?.password !== creds.password)) {
      return sendJson(res, 401, { error: 'Invalid email or password' });
    }
  }
  return sendJson(res, app.smokeStatus, { ok: app.smokeStatus < 300 });
}

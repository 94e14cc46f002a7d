/**
 * The bot's own HTTP routes beside Slack's endpoint: liveness (fails when a
 * part the process owns is dead, such as its embedded PostgreSQL), readiness
 * (database reachable) and Prometheus metrics. Health answers HEAD too.
 */
import type { CustomRoute } from '@slack/bolt';
import type { ServerResponse } from 'node:http';
import type { Metrics } from '../metrics';
import type { Db } from '../store/pool';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

interface RouteDeps {
  db: Db;
  metrics: Metrics;
  isStopping(): boolean;
  /** False while Slack cannot reach the bot (Socket Mode before the socket connects, or after it drops). */
  slackReachable?(): boolean;
  /** What makes the process unable to do its job (a part it owns is dead); empty when alive. */
  liveness?(): string[];
}

/** GET and HEAD alike (HEAD: the status without the body), for probes that send either. */
function getAndHead(path: string, handler: CustomRoute['handler']): CustomRoute[] {
  return [
    { path, method: 'GET', handler },
    { path, method: 'HEAD', handler },
  ];
}

export function healthRoutes(deps: RouteDeps): CustomRoute[] {
  return [
    ...getAndHead('/healthz', (_req, res) => {
      const problems = deps.liveness?.() ?? [];
      sendJson(
        res,
        problems.length === 0 ? 200 : 503,
        problems.length === 0 ? { status: 'ok' } : { status: 'failing', problems },
      );
    }),
    ...getAndHead('/readyz', (_req, res) => {
      if (deps.isStopping()) {
        sendJson(res, 503, { status: 'stopping' });
        return;
      }
      const problems = deps.liveness?.() ?? [];
      if (problems.length > 0) {
        sendJson(res, 503, { status: 'failing', problems });
        return;
      }
      if (deps.slackReachable && !deps.slackReachable()) {
        sendJson(res, 503, { status: 'Slack socket not connected' });
        return;
      }
      void deps.db
        .ping()
        .then((ok) => sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'database unreachable' }));
    }),
    {
      path: '/metrics',
      method: 'GET',
      handler: (_req, res) => {
        void deps.metrics.registry.metrics().then((text) => {
          res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
          res.end(text);
        });
      },
    },
  ];
}

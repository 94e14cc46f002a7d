/**
 * The bot's own HTTP routes beside Slack's endpoint: liveness, readiness
 * (database reachable) and Prometheus metrics.
 */
import type { CustomRoute } from '@slack/bolt';
import type { ServerResponse } from 'node:http';
import type { Metrics } from '../metrics';
import type { Db } from '../store/pool';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export interface RouteDeps {
  db: Db;
  metrics: Metrics;
  isStopping(): boolean;
  /** False while Slack cannot reach the bot (Socket Mode before the socket connects, or after it drops). */
  slackReachable?(): boolean;
}

export function healthRoutes(deps: RouteDeps): CustomRoute[] {
  return [
    { path: '/healthz', method: 'GET', handler: (_req, res) => sendJson(res, 200, { status: 'ok' }) },
    {
      path: '/readyz',
      method: 'GET',
      handler: (_req, res) => {
        if (deps.isStopping()) {
          sendJson(res, 503, { status: 'stopping' });
          return;
        }
        if (deps.slackReachable && !deps.slackReachable()) {
          sendJson(res, 503, { status: 'Slack socket not connected' });
          return;
        }
        void deps.db.ping().then((ok) => sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'database unreachable' }));
      },
    },
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

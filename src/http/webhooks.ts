/**
 * POST /webhooks/alertmanager and POST /webhooks/grafana: the tools' own
 * webhook JSON, taken in through the alert intake. The shared secret
 * (WEBHOOK_SECRET) comes as `Authorization: Bearer <secret>` or as the
 * password of Basic auth (Alertmanager's http_config basic_auth), compared in
 * constant time. Answers: 202 {signals, unmatched} once stored; 400 with the
 * reason for a malformed body (nothing stored); 401 without the secret;
 * 413 over 1 MB; 503 when WEBHOOK_SECRET is unset or the store is down.
 */
import type { CustomRoute } from '@slack/bolt';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AlertIntake, IngestResult, WebhookTool } from '../watch';
import type { Logger } from '../logger';
import { isRollbackError } from '../rollback/errors';
import { sendJson } from './routes';

const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

const WEBHOOK_PATHS: Record<WebhookTool, string> = {
  alertmanager: '/webhooks/alertmanager',
  grafana: '/webhooks/grafana',
};

interface WebhookDeps {
  intake: AlertIntake;
  /** WEBHOOK_SECRET; undefined refuses every call with 503 and says how to set it. */
  secret: string | undefined;
  logger: Logger;
  maxBytes?: number;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** The secret the caller presented: a Bearer token, or the password of Basic auth. */
function presentedSecret(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const bearer = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (bearer?.[1]) return bearer[1].trim();
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (!basic?.[1]) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

/** Equal-length digests, so neither the secret's length nor its prefix leaks through timing. */
function secretMatches(presented: string | undefined, secret: string): boolean {
  return presented !== undefined && timingSafeEqual(digest(presented), digest(secret));
}

class TooLarge extends Error {}

function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      reject(new TooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        reject(new TooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Answers and closes the connection, so an unread body cannot be piped into the next request. */
function refuse(
  res: ServerResponse,
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('connection', 'close');
  sendJson(res, status, body);
}

async function handle(deps: WebhookDeps, tool: WebhookTool, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!deps.secret) {
    refuse(res, 503, {
      error: 'Webhooks are turned off: WEBHOOK_SECRET is not set.',
      fix:
        `Set WEBHOOK_SECRET in the bot's environment and send it from ${tool} as ` +
        `"Authorization: Bearer <secret>" (or as the basic_auth password).`,
    });
    return;
  }
  if (!secretMatches(presentedSecret(req.headers.authorization), deps.secret)) {
    refuse(
      res,
      401,
      {
        error: 'Missing or wrong webhook secret.',
        fix: 'Send "Authorization: Bearer <WEBHOOK_SECRET>" or basic auth with WEBHOOK_SECRET as the password.',
      },
      { 'www-authenticate': 'Bearer realm="rollback-bot", Basic realm="rollback-bot"' },
    );
    return;
  }
  const maxBytes = deps.maxBytes ?? WEBHOOK_BODY_LIMIT_BYTES;
  let text: string;
  try {
    text = await readBody(req, maxBytes);
  } catch (error) {
    if (error instanceof TooLarge)
      refuse(res, 413, {
        error: `The body is over ${maxBytes} bytes.`,
        fix: `Lower max_alerts in the ${tool} webhook config so each call carries fewer alerts.`,
      });
    else refuse(res, 400, { error: 'The request body could not be read.' });
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    sendJson(res, 400, {
      error: `The body is not JSON: ${(error as Error).message}.`,
      fix: `Send ${tool}'s webhook JSON unchanged.`,
    });
    return;
  }
  let taken: IngestResult;
  try {
    taken = deps.intake.fromWebhook(tool, body);
  } catch (error) {
    if (!isRollbackError(error) || error.code !== 'bad_input') throw error;
    sendJson(res, 400, { error: error.message, fix: error.fix });
    return;
  }
  try {
    await taken.stored;
  } catch (error) {
    deps.logger.warn({ err: error, tool }, 'webhook alerts could not be stored; the sender is asked to retry');
    sendJson(res, 503, {
      error: 'The bot could not store the alerts right now.',
      fix: `${tool} retries failed webhooks; nothing else to do.`,
    });
    return;
  }
  sendJson(res, 202, { signals: taken.signals, unmatched: taken.unmatched });
}

export function webhookRoutes(deps: WebhookDeps): CustomRoute[] {
  return (Object.keys(WEBHOOK_PATHS) as WebhookTool[]).map((tool) => ({
    path: WEBHOOK_PATHS[tool],
    method: 'POST',
    handler: (req, res) => {
      handle(deps, tool, req, res).catch((error: unknown) => {
        deps.logger.error({ err: error, tool }, 'webhook failed');
        if (!res.headersSent) sendJson(res, 500, { error: 'The bot failed to handle this webhook.' });
      });
    },
  }));
}

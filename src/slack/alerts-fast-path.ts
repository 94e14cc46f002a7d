/**
 * Alerts-channel messages over HTTP, taken before Bolt. An alert storm is
 * thousands of message events a second; through Bolt each one builds a
 * context and runs every listener's matchers, which at that rate costs more
 * memory than the whole rest of the bot. A signed message event in a
 * service's alerts channel is answered 200 here and goes straight to the
 * same delivery claim and the same intake the Bolt listener uses
 * (listeners/events/alerts-channel.ts, which still serves Socket Mode).
 * Everything else, including any request whose signature does not verify,
 * is handed to Bolt untouched (its body already read), so refusals, logging
 * and every other listener stay Bolt's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidSlackRequest } from '@slack/bolt';
import type { AlertIntake } from '../watch';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { type ChannelMessage, isAlertCandidate } from './listeners/events/alerts-channel';
import type { DeliveryClaims } from './middleware/delivery-claims';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

interface AlertsFastPathDeps {
  path: string;
  bodyLimit: number;
  signingSecret: string;
  channels: ReadonlySet<string>;
  self: { botId?: string; botUserId?: string };
  claims: DeliveryClaims;
  intake: Pick<AlertIntake, 'fromSlackMessage'>;
  metrics: Metrics;
  logger: Logger;
}

interface EventBody {
  type?: unknown;
  event_id?: unknown;
  event?: ChannelMessage & { type?: unknown };
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve('too_large');
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** The alerts-channel message event in a body, or undefined for anything Bolt should have. */
function alertEvent(
  raw: Buffer,
  channels: ReadonlySet<string>,
): { eventId: string; message: ChannelMessage } | undefined {
  let body: EventBody;
  try {
    body = JSON.parse(raw.toString('utf8')) as EventBody;
  } catch {
    return undefined;
  }
  const event = body.event;
  if (body.type !== 'event_callback' || typeof body.event_id !== 'string' || !event || event.type !== 'message')
    return undefined;
  if (typeof event.channel !== 'string' || !channels.has(event.channel)) return undefined;
  return { eventId: body.event_id, message: event };
}

export function alertsFastPath(deps: AlertsFastPathDeps, bolt: Listener): Listener {
  const handOver = (req: IncomingMessage, res: ServerResponse, raw: Buffer): void => {
    // Bolt reads a body it finds already buffered instead of the (consumed) stream.
    (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
    bolt(req, res);
  };
  return (req, res) => {
    const json = String(req.headers['content-type'] ?? '').startsWith('application/json');
    if (req.method !== 'POST' || req.url?.split('?')[0] !== deps.path || !json) {
      bolt(req, res);
      return;
    }
    readBody(req, deps.bodyLimit).then(
      (raw) => {
        if (raw === 'too_large') {
          res.writeHead(413).end();
          return;
        }
        const found = alertEvent(raw, deps.channels);
        const signature = req.headers['x-slack-signature'];
        const timestamp = Number(req.headers['x-slack-request-timestamp']);
        const signed =
          found !== undefined &&
          typeof signature === 'string' &&
          isValidSlackRequest({
            signingSecret: deps.signingSecret,
            body: raw.toString('utf8'),
            headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
          });
        if (!found || !signed) {
          handOver(req, res, raw);
          return;
        }
        res.writeHead(200).end();
        void take(deps, found.eventId, found.message);
      },
      (error: unknown) => {
        deps.logger.warn({ err: error }, 'a Slack request body could not be read');
        if (!res.headersSent) res.writeHead(400).end();
      },
    );
  };
}

/** What the dedupe middleware and the alerts-channel listener do for a Bolt delivery, for this one. */
async function take(deps: AlertsFastPathDeps, eventId: string, message: ChannelMessage): Promise<void> {
  let first: boolean;
  try {
    first = await deps.claims.claim(`event:${eventId}`, 'event');
  } catch (error) {
    deps.metrics.slackDeliveries.inc({ kind: 'event', outcome: 'unavailable' });
    deps.logger.warn({ err: error, kind: 'event' }, 'delivery not handled: database unavailable');
    return;
  }
  deps.metrics.slackDeliveries.inc({ kind: 'event', outcome: first ? 'handled' : 'duplicate' });
  if (!first || !isAlertCandidate(message, deps.channels, deps.self)) return;
  try {
    deps.intake.fromSlackMessage(message);
  } catch (error) {
    deps.logger.warn(
      { err: error, channel: message.channel, ts: message.ts },
      'alerts-channel message could not be read',
    );
  }
}

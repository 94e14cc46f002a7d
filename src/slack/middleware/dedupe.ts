/**
 * Drops Slack retries and the same delivery arriving at a second replica:
 * the first to store the delivery key handles it. Keys: the event id for
 * Events API deliveries, the trigger id for commands and interactions.
 * When the database is away, commands get a polite "try again".
 */
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Logger } from '../../logger';
import type { Metrics } from '../../metrics';
import { isRollbackError } from '../../rollback/errors';
import type { Db } from '../../store/pool';
import { type DeliveryClaims, deliveryClaims } from './delivery-claims';

export const TRY_AGAIN =
  'rollback-bot cannot reach its database right now, so it did nothing. Please try again in a minute.';

function deliveryKey(body: Record<string, unknown>): { key: string; kind: string } | undefined {
  if (typeof body.event_id === 'string') return { key: `event:${body.event_id}`, kind: 'event' };
  if (typeof body.trigger_id === 'string') {
    const kind =
      typeof body.command === 'string' ? 'command' : typeof body.type === 'string' ? body.type : 'interaction';
    return { key: `trigger:${body.trigger_id}`, kind };
  }
  return undefined;
}

export function dedupeDeliveries(
  db: Db,
  metrics: Metrics,
  logger: Logger,
  claims: DeliveryClaims = deliveryClaims(db),
): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const body = args.body as unknown as Record<string, unknown>;
    const found = deliveryKey(body);
    if (!found) {
      await args.next();
      return;
    }
    let first: boolean;
    try {
      first = await claims.claim(found.key, found.kind);
    } catch (error) {
      metrics.slackDeliveries.inc({ kind: found.kind, outcome: 'unavailable' });
      logger.warn({ err: error, kind: found.kind }, 'delivery not handled: database unavailable');
      if ('ack' in args && typeof args.ack === 'function') {
        await (args.ack as (response?: unknown) => Promise<void>)(
          found.kind === 'command' ? { response_type: 'ephemeral', text: TRY_AGAIN } : undefined,
        );
      }
      if (!isRollbackError(error)) throw error;
      return;
    }
    if (!first) {
      metrics.slackDeliveries.inc({ kind: found.kind, outcome: 'duplicate' });
      logger.info({ key: found.key }, 'duplicate Slack delivery dropped');
      if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)();
      return;
    }
    metrics.slackDeliveries.inc({ kind: found.kind, outcome: 'handled' });
    await args.next();
  };
}

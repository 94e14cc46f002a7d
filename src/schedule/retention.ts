/**
 * The `retention` job: the bot's bookkeeping tables that only grow are pruned
 * every hour. Processed Slack deliveries are kept 48 hours (Slack retries a
 * delivery within minutes; a replica's duplicate arrives within seconds), and
 * claimed cron slots 7 days (no ticker comes back for a slot that old).
 */
import type { Db } from '../store/pool';
import { pruneDeliveries } from '../store/queries/deliveries';
import type { ScheduledJob } from './job';
import { pruneSlots } from './job-lock';

export const RETENTION = { deliveriesHours: 48, slotsHours: 7 * 24 } as const;

export function retentionJob(
  db: Db,
  retention: { deliveriesHours: number; slotsHours: number } = RETENTION,
): ScheduledJob {
  return {
    name: 'retention',
    cron: '17 * * * *',
    run: async ({ logger }) => {
      const [deliveries] = await db.query<{ n: number }>(pruneDeliveries(retention.deliveriesHours));
      const [slots] = await db.query<{ n: number }>(pruneSlots(retention.slotsHours));
      logger.info(
        { deliveries: deliveries?.n ?? 0, slots: slots?.n ?? 0 },
        'pruned processed Slack deliveries and old cron slot claims',
      );
    },
  };
}

/**
 * The break-glass schema rollback's entry on the bot's own timeline (who
 * approved, which migration, the outcome), written when the bot's database
 * (DATABASE_URL) is reachable and migrated. When it is not, the command says
 * so and goes on: the rollback itself never depends on the bot's database.
 */
import { silentLogger } from '../logger';
import { scrubSecrets } from '../scrub-secrets';
import { createDb } from '../store/pool';
import { type TimelineEntry, appendTimeline } from '../store/queries/timeline';

export type TimelineRecord = { recorded: true; entryId: string } | { recorded: false; reason: string };

export async function recordOnBotTimeline(
  databaseUrl: string | undefined,
  entry: TimelineEntry,
): Promise<TimelineRecord> {
  if (!databaseUrl)
    return { recorded: false, reason: "DATABASE_URL is not set, so the bot's database was not reached" };
  const db = createDb(databaseUrl, silentLogger, 1);
  try {
    const [found] = await db.query<{ migrated: boolean }>({
      text: "SELECT to_regclass('timeline') IS NOT NULL AS migrated",
    });
    if (!found?.migrated)
      return {
        recorded: false,
        reason: "the bot's database at DATABASE_URL is not migrated (run rollback-bot migrate)",
      };
    const [row] = await db.query<{ id: string }>(appendTimeline(entry));
    return { recorded: true, entryId: String(row?.id) };
  } catch (error) {
    return {
      recorded: false,
      reason: `the bot's database at DATABASE_URL is not reachable: ${scrubSecrets((error as Error).message)}`,
    };
  } finally {
    await db.close();
  }
}

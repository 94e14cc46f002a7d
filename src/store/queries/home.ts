/** Who opened the bot's App Home, and what was last published to them. */
import type { Query } from '../pool';

export const rememberViewer = (userId: string, at: Date): Query => ({
  text: `INSERT INTO app_home_views (user_id, opened_at) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET opened_at = GREATEST(app_home_views.opened_at, EXCLUDED.opened_at)`,
  values: [userId, at],
});

export interface ViewerRow {
  user_id: string;
  published_hash: string | null;
}

/** The most recent viewers since `since`, newest first: the ones a refresh republishes for. */
export const selectRecentViewers = (since: Date, limit: number): Query => ({
  text:
    `SELECT user_id, published_hash FROM app_home_views WHERE opened_at >= $1 ORDER ` +
    `BY opened_at DESC, user_id LIMIT $2`,
  values: [since, limit],
});

export const markPublished = (userId: string, hash: string, at: Date): Query => ({
  text: `UPDATE app_home_views SET published_at = $3, published_hash = $2 WHERE user_id = $1`,
  values: [userId, hash, at],
});

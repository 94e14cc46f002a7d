/**
 * The outbox's SQL, as data. A row is pending while its version is above both
 * the version Slack took (sent_version) and the version Slack refused for good
 * (failed_version). Pace and ownership live on the gate row of its channel.
 */
import type { Query } from '../../store/pool';

/** Pending, due, and (for a thread reply) its root already has a Slack ts. */
const SENDABLE = `o.version > o.sent_version AND o.version > o.failed_version AND o.next_attempt_at <= $1
  AND (o.thread_key IS NULL OR r.ts IS NOT NULL)`;

export interface NewOutboxMessage {
  key: string;
  channel: string | null;
  dmUser: string | null;
  gate: string;
  threadKey: string | null;
  text: string;
  blocks: unknown[] | null;
}

export interface OutboxRow {
  key: string;
  channel: string | null;
  dm_user: string | null;
  gate: string;
  thread_key: string | null;
  text: string;
  blocks: unknown[] | null;
  version: number;
  ts: string | null;
  posted_channel: string | null;
  attempts: number;
  root_ts: string | null;
  /** Set while a chat.postMessage may have reached Slack unheard: look before posting again. */
  post_started_at: Date | null;
  /** Slack's refusal code while the message is refused where it is (see slack-failures.ts). */
  refusal: string | null;
}

/**
 * Inserts the message, or stores its new content as the next version. The same
 * content again is no new version, so an announcer that re-renders after every
 * change costs no Slack call. A message keeps the channel and thread it was
 * first stored with: Slack cannot move a posted message.
 */
export const upsertMessage = (m: NewOutboxMessage): Query => ({
  text: `WITH gate AS (INSERT INTO slack_outbox_gates (gate) VALUES ($4) ON CONFLICT (gate) DO NOTHING)
         INSERT INTO slack_outbox AS o (key, channel, dm_user, gate, thread_key, text, blocks)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
         ON CONFLICT (key) DO UPDATE SET text = EXCLUDED.text, blocks = EXCLUDED.blocks, version = o.version + 1,
           updated_at = now()
         WHERE (o.text, o.blocks) IS DISTINCT FROM (EXCLUDED.text, EXCLUDED.blocks)`,
  values: [
    m.key,
    m.channel,
    m.dmUser,
    m.gate,
    m.threadKey,
    m.text,
    m.blocks === null ? null : JSON.stringify(m.blocks),
  ],
});

export const selectTs = (key: string): Query => ({
  text: 'SELECT ts FROM slack_outbox WHERE key = $1',
  values: [key],
});

/**
 * Takes the channel whose oldest sendable message is the oldest of all, if its
 * pace allows a call now, and leases it to `holder` until `leaseUntil`. SKIP
 * LOCKED and the lease keep every other worker, in any replica, off that
 * channel until the holder releases it.
 */
export const claimGate = (now: Date, leaseUntil: Date, holder: string): Query => ({
  text: `UPDATE slack_outbox_gates g SET next_allowed_at = $2, holder = $3
         WHERE g.gate = (
           SELECT c.gate FROM slack_outbox_gates c
           CROSS JOIN LATERAL (
             SELECT min(o.seq) AS oldest FROM slack_outbox o LEFT JOIN slack_outbox r ON r.key = o.thread_key
             WHERE o.gate = c.gate AND ${SENDABLE}
           ) e
           WHERE c.next_allowed_at <= $1 AND e.oldest IS NOT NULL
           ORDER BY e.oldest
           LIMIT 1
           FOR UPDATE OF c SKIP LOCKED)
         RETURNING g.gate`,
  values: [now, leaseUntil, holder],
});

/**
 * The oldest sendable message of a leased gate, with its thread root's ts. A
 * direct message borrows the channel an earlier one to the same user opened
 * (the gate is per user, so that one is recorded by now): one
 * conversations.open per user.
 */
export const selectNextMessage = (gate: string, now: Date): Query => ({
  text: `SELECT o.key,
                COALESCE(o.channel, (SELECT d.channel FROM slack_outbox d WHERE d.dm_user = o.dm_user AND d.channel IS
                  NOT NULL LIMIT 1)) AS channel,
                o.dm_user, o.gate, o.thread_key, o.text, o.blocks, o.version, o.ts, o.posted_channel, o.attempts,
                o.post_started_at, o.refusal, r.ts AS root_ts
         FROM slack_outbox o LEFT JOIN slack_outbox r ON r.key = o.thread_key
         WHERE o.gate = $2 AND ${SENDABLE}
         ORDER BY o.seq
         LIMIT 1`,
  values: [now, gate],
});

/** Gives the gate back; a holder whose lease ran out (and was taken over) changes nothing. */
export const releaseGate = (gate: string, holder: string, nextAllowedAt: Date, sentAt: Date | null): Query => ({
  text: `UPDATE slack_outbox_gates SET next_allowed_at = $3, holder = NULL, last_sent_at = COALESCE($4, last_sent_at)
         WHERE gate = $1 AND holder = $2`,
  values: [gate, holder, nextAllowedAt, sentAt],
});

/** Committed before chat.postMessage: until the answer is recorded, the post's outcome is unknown. */
export const markPostStarted = (key: string, at: Date): Query => ({
  text: 'UPDATE slack_outbox SET post_started_at = $2 WHERE key = $1 AND ts IS NULL',
  values: [key, at],
});

/**
 * Slack took `version` (sentVersion; 0 when an earlier, unheard post was found:
 * the current version then goes out as chat.update on the ts found).
 */
export const recordSent = (key: string, sentVersion: number, ts: string, channel: string): Query => ({
  text: `UPDATE slack_outbox SET sent_version = GREATEST(sent_version, $2), ts = COALESCE(ts, $3),
           posted_channel = COALESCE(posted_channel, $4), channel = COALESCE(channel, $4),
           attempts = 0, last_error = NULL, refusal = NULL, post_started_at = NULL, next_attempt_at = '-infinity',
             updated_at = now()
         WHERE key = $1`,
  values: [key, sentVersion, ts, channel],
});

/**
 * Slack could not take it now: try again at `retryAt` (the row stays pending).
 * `refusal` names a lasting refusal; `postedUnknown` keeps the "look before
 * posting again" mark, which a sure "not posted" answer clears.
 */
export const recordRetry = (
  key: string,
  retryAt: Date,
  error: string,
  channel: string | null,
  outcome: { refusal?: string; postedUnknown: boolean },
): Query => ({
  text: `UPDATE slack_outbox SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3,
           channel = COALESCE(channel, $4), refusal = $5,
           post_started_at = CASE WHEN $6 THEN post_started_at ELSE NULL END, updated_at = now()
         WHERE key = $1`,
  values: [key, retryAt, error, channel, outcome.refusal ?? null, outcome.postedUnknown],
});

/** Why a message is not in Slack yet, while a channel refuses it (for "thread not delivered: <reason>"). */
export const selectRefusal = (key: string): Query => ({
  text: 'SELECT refusal, ts FROM slack_outbox WHERE key = $1',
  values: [key],
});

/** Slack refused this version for good: it is not retried; a later version is tried afresh. */
export const recordFailed = (key: string, version: number, error: string, channel: string | null): Query => ({
  text: `UPDATE slack_outbox SET failed_version = GREATEST(failed_version, $2), attempts = 0, last_error = $3,
           channel = COALESCE(channel, $4), post_started_at = NULL, updated_at = now()
         WHERE key = $1`,
  values: [key, version, error, channel],
});

/** When the next message may become sendable (pace, back-off), so an idle worker sleeps no longer than needed. */
export const selectNextDue = (): Query => ({
  text: `SELECT min(GREATEST(g.next_allowed_at, o.next_attempt_at)) AS due
         FROM slack_outbox o
         JOIN slack_outbox_gates g ON g.gate = o.gate
         LEFT JOIN slack_outbox r ON r.key = o.thread_key
         WHERE o.version > o.sent_version AND o.version > o.failed_version AND (o.thread_key IS NULL OR r.ts IS NOT
           NULL)`,
});

/** Messages still to send; one a channel refuses waits for a person (an /invite), not for the worker. */
export const countPending = (): Query => ({
  text: `SELECT count(*)::int AS pending FROM slack_outbox
         WHERE version > sent_version AND version > failed_version AND (refusal IS NULL OR refusal = 'invalid_blocks')`,
});

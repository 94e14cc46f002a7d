/**
 * The outbox's mark on every message it posts, and the look-up that finds a
 * post whose answer was lost. Slack message metadata carries the outbox key;
 * conversations.history (top-level posts) or conversations.replies (thread
 * replies) with include_all_metadata returns it. Needs channels:history /
 * groups:history (im:history for direct messages).
 */
import type { webApi } from '@slack/bolt';

/** The metadata event type of every outbox post. */
const OUTBOX_EVENT_TYPE = 'rollback_bot_outbox';

/** How many of the channel's newest messages are searched (one page). */
const LOOKUP_PAGE = 200;

export function outboxMetadata(key: string): { event_type: string; event_payload: { key: string } } {
  return { event_type: OUTBOX_EVENT_TYPE, event_payload: { key } };
}

interface Listed {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: unknown };
}

export function outboxKeyOf(message: Listed): string | undefined {
  if (message.metadata?.event_type !== OUTBOX_EVENT_TYPE) return undefined;
  const payload = message.metadata.event_payload as { key?: unknown } | undefined;
  return typeof payload?.key === 'string' ? payload.key : undefined;
}

/** The ts of the bot's own message carrying `key`, if Slack has it. Throws what the Web API throws. */
export async function findOwnMessage(
  client: { conversations: Pick<webApi.WebClient['conversations'], 'history' | 'replies'> },
  channel: string,
  key: string,
  threadTs: string | null,
): Promise<string | undefined> {
  const listed = threadTs
    ? await client.conversations.replies({ channel, ts: threadTs, include_all_metadata: true, limit: LOOKUP_PAGE })
    : await client.conversations.history({ channel, include_all_metadata: true, limit: LOOKUP_PAGE });
  const messages = (listed.messages ?? []) as Listed[];
  return messages.find((m) => outboxKeyOf(m) === key)?.ts;
}

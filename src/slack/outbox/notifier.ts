/**
 * How the bot speaks to people in Slack (the announcer, detection and follow-up
 * jobs use it; the domain speaks through the Announcer port). Implemented by the Slack outbox
 * (src/slack/outbox/): messages are stored first and sent by a worker that keeps
 * Slack's pace (one post per second per channel), retries on 429/5xx, and
 * coalesces updates of the same message, so a Slack outage delays a post and
 * never the rollback. Nothing here throws because Slack is down.
 */
import type { types } from '@slack/bolt';

export interface OutgoingMessage {
  /**
   * Stable key of this message, e.g. "incident:INC-1:root" or "incident:INC-1:progress".
   * Sending the same key again updates that message in place (chat.update).
   */
  key: string;
  channel: string;
  /** Post in the thread of the message with this key (it is sent first). */
  threadKey?: string;
  text: string;
  blocks?: types.KnownBlock[];
}

export interface Notifier {
  /** Stores the message (or the new version of it) to be sent; resolves once stored. */
  send(message: OutgoingMessage): Promise<void>;
  /** The Slack ts of a sent message, once known (e.g. the thread root for approvals). */
  sentTs(key: string): Promise<string | undefined>;
  /**
   * Why the message with this key is not in Slack while Slack refuses it where
   * it goes (e.g. "not_in_channel"); undefined once it is posted or when nothing refuses it.
   */
  undelivered?(key: string): Promise<string | undefined>;
  /** Direct message to a user (e.g. CTO notified after hours). */
  sendDirect(user: string, key: string, text: string, blocks?: types.KnownBlock[]): Promise<void>;
}

/** The same direct message to each user (the CTOs), under a key per user: sending it again updates, never repeats. */
export async function sendToEach(
  notifier: Pick<Notifier, 'sendDirect'>,
  users: readonly string[],
  keyOf: (user: string) => string,
  message: { readonly text: string; readonly blocks?: types.KnownBlock[] },
): Promise<void> {
  for (const user of users) await notifier.sendDirect(user, keyOf(user), message.text, message.blocks);
}

/**
 * The Notifier port over the outbox table: send() only stores (a new version
 * of) the message and returns; the outbox worker posts it. So a Slack outage
 * costs the engine nothing but a delayed post, and ten updates stored before
 * the worker gets to them become one chat.update.
 */
import type { types } from '@slack/bolt';
import { RollbackError } from '../../rollback/errors';
import { parseSlackUserId } from '../../rollback/ids';
import type { Notifier, OutgoingMessage } from './notifier';
import type { Db } from '../../store/pool';
import { type NewOutboxMessage, selectRefusal, selectTs, upsertMessage } from './outbox-queries';

interface SlackNotifierOptions {
  /** Called once a message is stored, e.g. the local worker's wake(), so it goes out without waiting for a poll. */
  onStored?: () => void;
}

function required(value: string, what: string, key: string): string {
  const trimmed = value.trim();
  if (!trimmed) {
    throw new RollbackError('bad_input', `The Slack message "${key}" has no ${what}.`, {
      fix: `Pass a ${what}: this is a bug in the code that built the message.`,
    });
  }
  return trimmed;
}

export function createSlackNotifier(db: Db, options: SlackNotifierOptions = {}): Notifier {
  const store = async (message: NewOutboxMessage): Promise<void> => {
    await db.query(upsertMessage(message));
    options.onStored?.();
  };

  return {
    async send(message: OutgoingMessage): Promise<void> {
      const key = required(message.key, 'key', message.key);
      const channel = required(message.channel, 'channel', key);
      if (message.threadKey === key) {
        throw new RollbackError('bad_input', `The Slack message "${key}" names itself as its thread root.`, {
          fix: 'Set threadKey to the key of the message that starts the thread.',
        });
      }
      await store({
        key,
        channel,
        dmUser: null,
        gate: channel,
        threadKey: message.threadKey ?? null,
        text: message.text,
        blocks: message.blocks ?? null,
      });
    },

    async sentTs(key: string): Promise<string | undefined> {
      const [row] = await db.query<{ ts: string | null }>(selectTs(key));
      return row?.ts ?? undefined;
    },

    async undelivered(key: string): Promise<string | undefined> {
      const [row] = await db.query<{ refusal: string | null; ts: string | null }>(selectRefusal(key));
      return row && !row.ts ? (row.refusal ?? undefined) : undefined;
    },

    async sendDirect(user: string, key: string, text: string, blocks?: types.KnownBlock[]): Promise<void> {
      const userId = parseSlackUserId(user);
      await store({
        key: required(key, 'key', key),
        channel: null,
        dmUser: userId,
        gate: `dm:${userId}`,
        threadKey: null,
        text,
        blocks: blocks ?? null,
      });
    },
  };
}

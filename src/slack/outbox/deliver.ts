/**
 * One Slack delivery of one stored message version: open the DM if it has no
 * channel yet, then chat.postMessage (in its root's thread) the first time or
 * chat.update on the stored ts afterwards. Every post carries the outbox key
 * in its message metadata; a post whose outcome nobody heard (timeout, crash)
 * is first looked for in the channel (find-own-message.ts) and never simply
 * sent again. Never throws: every failure comes back classified.
 */
import type { types, webApi } from '@slack/bolt';
import { findOwnMessage, outboxMetadata } from './find-own-message';
import type { OutboxRow } from './outbox-queries';
import { BLOCKS_REFUSAL, type SlackFailure, classifySlackFailure } from './slack-failures';

/** The Web API methods the outbox uses; Bolt's `app.client` fits. */
export interface OutboxSlackClient {
  chat: Pick<webApi.WebClient['chat'], 'postMessage' | 'update'>;
  conversations: Pick<webApi.WebClient['conversations'], 'open' | 'history' | 'replies'>;
}

export type Delivery =
  | { ok: true; method: 'chat.postMessage' | 'chat.update'; ts: string; channel: string }
  /**
   * An earlier post whose answer was lost is in Slack: its ts is recorded and the current version goes out as an
   * update.
   */
  | { ok: true; method: 'found'; ts: string; channel: string }
  | ({ ok: false; channel: string | null } & SlackFailure);

class DeliveryTimeout extends Error {
  constructor(ms: number) {
    super(`no answer from Slack within ${ms} ms`);
    this.name = 'DeliveryTimeout';
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DeliveryTimeout(ms)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

async function openDirectChannel(client: OutboxSlackClient, user: string): Promise<string> {
  const opened = await client.conversations.open({ users: user });
  const id = opened.channel?.id;
  if (!id) throw new Error(`conversations.open named no channel for ${user}`);
  return id;
}

interface DeliverHooks {
  /** Called (and awaited) right before chat.postMessage: the row is marked "outcome unknown" until recorded. */
  beforePost(row: OutboxRow): Promise<void>;
}

async function call(
  client: OutboxSlackClient,
  row: OutboxRow,
  knownChannel: { id: string | null },
  hooks: DeliverHooks,
): Promise<Delivery> {
  if (!knownChannel.id) knownChannel.id = await openDirectChannel(client, row.dm_user ?? '');
  const channel = knownChannel.id;
  // After Slack refused the blocks, the text alone (the message's fallback) still tells the story.
  const blocks =
    row.refusal === BLOCKS_REFUSAL ? undefined : ((row.blocks ?? undefined) as types.KnownBlock[] | undefined);
  if (row.ts) {
    // Without blocks Slack would keep the old ones on update; an empty list clears them.
    await client.chat.update({
      channel: row.posted_channel ?? channel,
      ts: row.ts,
      text: row.text,
      blocks: blocks ?? [],
      metadata: outboxMetadata(row.key),
    });
    return { ok: true, method: 'chat.update', ts: row.ts, channel: row.posted_channel ?? channel };
  }
  if (row.post_started_at) {
    const found = await findOwnMessage(client, channel, row.key, row.root_ts);
    if (found) return { ok: true, method: 'found', ts: found, channel };
  }
  await hooks.beforePost(row);
  const answer = await client.chat.postMessage({
    channel,
    text: row.text,
    ...(blocks ? { blocks } : {}),
    ...(row.root_ts ? { thread_ts: row.root_ts } : {}),
    metadata: outboxMetadata(row.key),
  });
  if (!answer.ts) throw new Error('chat.postMessage answered without a ts');
  return { ok: true, method: 'chat.postMessage', ts: answer.ts, channel: answer.channel ?? channel };
}

export async function deliver(
  client: OutboxSlackClient,
  row: OutboxRow,
  timeoutMs: number,
  hooks: DeliverHooks,
): Promise<Delivery> {
  const knownChannel = { id: row.channel };
  try {
    return await withTimeout(call(client, row, knownChannel, hooks), timeoutMs);
  } catch (error) {
    return { ok: false, channel: knownChannel.id, ...classifySlackFailure(error, row.key, knownChannel.id) };
  }
}

/**
 * One Slack delivery of one stored message version: open the DM if it has no
 * channel yet, then chat.postMessage (in its root's thread) the first time or
 * chat.update on the stored ts afterwards. Never throws: every failure comes
 * back classified.
 */
import type { types, webApi } from '@slack/bolt';
import type { OutboxRow } from './outbox-queries';
import { type SlackFailure, classifySlackFailure } from './slack-failures';

/** The three Web API methods the outbox uses; Bolt's `app.client` fits. */
export interface OutboxSlackClient {
  chat: Pick<webApi.WebClient['chat'], 'postMessage' | 'update'>;
  conversations: Pick<webApi.WebClient['conversations'], 'open'>;
}

export type Delivery =
  | { ok: true; method: 'chat.postMessage' | 'chat.update'; ts: string; channel: string }
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

async function call(client: OutboxSlackClient, row: OutboxRow, knownChannel: { id: string | null }): Promise<Delivery> {
  if (!knownChannel.id) knownChannel.id = await openDirectChannel(client, row.dm_user ?? '');
  const channel = knownChannel.id;
  const blocks = (row.blocks ?? undefined) as types.KnownBlock[] | undefined;
  if (row.ts) {
    // Without blocks Slack would keep the old ones on update; an empty list clears them.
    await client.chat.update({ channel: row.posted_channel ?? channel, ts: row.ts, text: row.text, blocks: blocks ?? [] });
    return { ok: true, method: 'chat.update', ts: row.ts, channel: row.posted_channel ?? channel };
  }
  const answer = await client.chat.postMessage({
    channel,
    text: row.text,
    ...(blocks ? { blocks } : {}),
    ...(row.root_ts ? { thread_ts: row.root_ts } : {}),
  });
  if (!answer.ts) throw new Error('chat.postMessage answered without a ts');
  return { ok: true, method: 'chat.postMessage', ts: answer.ts, channel: answer.channel ?? channel };
}

export async function deliver(client: OutboxSlackClient, row: OutboxRow, timeoutMs: number): Promise<Delivery> {
  const knownChannel = { id: row.channel };
  try {
    return await withTimeout(call(client, row, knownChannel), timeoutMs);
  } catch (error) {
    return { ok: false, channel: knownChannel.id, ...classifySlackFailure(error, row.key, knownChannel.id) };
  }
}

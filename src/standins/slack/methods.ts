/**
 * The Web API methods the bot uses, answered as Slack answers them: the same
 * argument checks, error codes and response shapes, over a small in-memory
 * workspace (users, user groups, channels, messages). The checks of a message's
 * text, blocks and metadata are in message-arguments.ts.
 */
import { validateView } from './block-kit';
import {
  type MessageMetadata,
  fail,
  invalidBlocks,
  messageContent,
  parseJsonField,
  parseMetadata,
} from './message-arguments';

export type Params = Record<string, unknown>;
export type Answer = Record<string, unknown> & { ok: boolean };

export interface Workspace {
  teamId: string;
  botUserId: string;
  users: Map<string, { name: string; tz: string; isBot?: boolean }>;
  usergroups: Map<string, string[]>;
  /** botAbsent: the bot was never invited (or was removed); posting there answers not_in_channel. */
  channels: Map<string, { name: string; botAbsent?: boolean }>;
  messages: Map<string, StoredMessage>;
  views: Map<string, { type: string; user?: string; view: unknown }>;
  nextTs: number;
}

interface StoredMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks?: unknown;
  thread_ts?: string;
  /** Message metadata as posted; conversations.history returns it on include_all_metadata. */
  metadata?: MessageMetadata;
  edits: number;
}

/** Slack's cap on conversations.history / conversations.replies pages. */
const MAX_PAGE = 999;

/** A channel the bot may write to and read: a DM, or a channel it is a member of. */
function reachable(ws: Workspace, channel: string): Answer | undefined {
  if (channel.startsWith('D')) return undefined;
  const known = ws.channels.get(channel);
  if (!known) return fail('channel_not_found');
  if (known.botAbsent) return fail('not_in_channel');
  return undefined;
}

function asSlackMessage(ws: Workspace, m: StoredMessage, withMetadata: boolean): Record<string, unknown> {
  return {
    type: 'message',
    user: ws.botUserId,
    bot_id: 'B0STANDIN',
    text: m.text ?? '',
    ts: m.ts,
    ...(m.blocks !== undefined ? { blocks: m.blocks } : {}),
    ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
    ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
  };
}

function page(params: Params): number {
  const limit = Number(params.limit ?? 100);
  return Number.isFinite(limit) && limit > 0 ? Math.min(limit, MAX_PAGE) : 100;
}

const truthy = (value: unknown): boolean => value === true || value === 'true' || value === '1' || value === 1;

/**
 * The id of the direct message between the bot and one user (the same for conversations.open and a post to the user
 * id).
 */
const dmChannelOf = (user: string): string => `D${user.slice(1, 11)}`;

function nextTs(ws: Workspace): string {
  ws.nextTs += 1;
  return `${Math.floor(Date.now() / 1000)}.${String(ws.nextTs).padStart(6, '0')}`;
}

export const METHODS: Record<string, (ws: Workspace, params: Params) => Answer> = {
  'auth.test': (ws) => ({
    ok: true,
    url: 'https://standin.slack.test/',
    team: 'Stand-in Workspace',
    user: 'rollback-bot',
    team_id: ws.teamId,
    user_id: ws.botUserId,
    bot_id: 'B0STANDIN',
    is_enterprise_install: false,
  }),
  'chat.postMessage': (ws, params) => {
    const named = String(params.channel ?? '');
    if (!named) return fail('channel_not_found');
    // A user id as the channel posts in the app's direct message with that user, as Slack does.
    const channel = ws.users.has(named) ? dmChannelOf(named) : named;
    const refused = reachable(ws, channel);
    if (refused) return refused;
    const content = messageContent(params);
    if (content.error) return content.error;
    const metadata = parseMetadata(params);
    if (metadata.error) return metadata.error;
    const threadTs = typeof params.thread_ts === 'string' ? params.thread_ts : undefined;
    if (threadTs && !ws.messages.has(`${channel}:${threadTs}`)) return fail('thread_not_found');
    const ts = nextTs(ws);
    const stored: StoredMessage = {
      channel,
      ts,
      text: content.text,
      blocks: content.blocks,
      thread_ts: threadTs,
      metadata: metadata.value,
      edits: 0,
    };
    ws.messages.set(`${channel}:${ts}`, stored);
    return { ok: true, channel, ts, message: asSlackMessage(ws, stored, true) };
  },
  'chat.update': (ws, params) => {
    const channel = String(params.channel ?? '');
    const ts = String(params.ts ?? '');
    const existing = ws.messages.get(`${channel}:${ts}`);
    if (!ws.channels.has(channel) && !channel.startsWith('D')) return fail('channel_not_found');
    if (!existing) return fail('message_not_found');
    const content = messageContent(params);
    if (content.error) return content.error;
    const metadata = parseMetadata(params);
    if (metadata.error) return metadata.error;
    existing.text = content.text;
    existing.blocks = content.blocks;
    if (metadata.value) existing.metadata = metadata.value;
    existing.edits += 1;
    return { ok: true, channel, ts, text: content.text ?? '' };
  },
  'chat.postEphemeral': (ws, params) => {
    const channel = String(params.channel ?? '');
    const refused = reachable(ws, channel);
    if (refused) return refused;
    if (!ws.users.has(String(params.user ?? ''))) return fail('user_not_in_channel');
    const content = messageContent(params);
    if (content.error) return content.error;
    return { ok: true, message_ts: nextTs(ws) };
  },
  'conversations.open': (ws, params) => {
    const users = String(params.users ?? '')
      .split(',')
      .filter(Boolean);
    if (users.length === 0) return fail('users_list_not_supplied');
    const unknown = users.find((u) => !ws.users.has(u));
    if (unknown) return fail('user_not_found');
    return {
      ok: true,
      channel: { id: users.length === 1 ? dmChannelOf(users[0] as string) : `D${users.join('').slice(1, 11)}` },
    };
  },
  'conversations.info': (ws, params) => {
    const id = String(params.channel ?? '');
    const channel = ws.channels.get(id);
    if (!channel) return fail('channel_not_found');
    return {
      ok: true,
      channel: {
        id,
        name: channel.name,
        is_channel: id.startsWith('C'),
        is_group: id.startsWith('G'),
        is_im: false,
        is_private: id.startsWith('G'),
        is_archived: false,
        is_member: !channel.botAbsent,
        created: 1_700_000_000,
      },
    };
  },
  /**
   * Top-level messages (and thread parents), newest first, as Slack lists them; metadata only on include_all_metadata.
   */
  'conversations.history': (ws, params) => {
    const channel = String(params.channel ?? '');
    const refused = reachable(ws, channel);
    if (refused) return refused;
    const oldest = Number(params.oldest ?? 0);
    const all = [...ws.messages.values()]
      .filter((m) => m.channel === channel && (!m.thread_ts || m.thread_ts === m.ts) && Number(m.ts) >= oldest)
      .sort((a, b) => Number(b.ts) - Number(a.ts));
    const limit = page(params);
    const withMetadata = truthy(params.include_all_metadata);
    return {
      ok: true,
      messages: all.slice(0, limit).map((m) => asSlackMessage(ws, m, withMetadata)),
      has_more: all.length > limit,
      pin_count: 0,
      response_metadata: { next_cursor: '' },
    };
  },
  /** A thread: its parent first, then the replies oldest first. */
  'conversations.replies': (ws, params) => {
    const channel = String(params.channel ?? '');
    const refused = reachable(ws, channel);
    if (refused) return refused;
    const ts = String(params.ts ?? '');
    const parent = ws.messages.get(`${channel}:${ts}`);
    if (!parent) return fail('thread_not_found');
    const replies = [...ws.messages.values()]
      .filter((m) => m.channel === channel && m.thread_ts === ts && m.ts !== ts)
      .sort((a, b) => Number(a.ts) - Number(b.ts));
    const limit = page(params);
    const withMetadata = truthy(params.include_all_metadata);
    const thread = [parent, ...replies];
    return {
      ok: true,
      messages: thread.slice(0, limit).map((m) => asSlackMessage(ws, m, withMetadata)),
      has_more: thread.length > limit,
      response_metadata: { next_cursor: '' },
    };
  },
  'users.info': (ws, params) => {
    const id = String(params.user ?? '');
    const user = ws.users.get(id);
    if (!user) return fail('user_not_found');
    return {
      ok: true,
      user: {
        id,
        team_id: ws.teamId,
        name: user.name,
        real_name: user.name,
        tz: user.tz,
        is_bot: user.isBot ?? false,
        profile: { real_name: user.name, display_name: user.name },
      },
    };
  },
  'usergroups.users.list': (ws, params) => {
    const users = ws.usergroups.get(String(params.usergroup ?? ''));
    if (!users) return fail('no_such_subteam');
    return { ok: true, users };
  },
  'views.open': (ws, params) => {
    if (typeof params.trigger_id !== 'string' || !/^\d+\.\d+\.[0-9a-f]+$/.test(params.trigger_id))
      return fail('invalid_trigger_id');
    const view = parseJsonField(params, 'view');
    if (view.error || view.value === undefined) return fail('invalid_arguments');
    const errors = validateView(view.value, 'modal');
    if (errors.length) return invalidBlocks(errors);
    const id = `V${String(ws.views.size + 1).padStart(8, '0')}`;
    ws.views.set(id, { type: 'modal', view: view.value });
    return { ok: true, view: { id, ...(view.value as object) } };
  },
  'views.publish': (ws, params) => {
    const user = String(params.user_id ?? '');
    if (!ws.users.has(user)) return fail('user_not_found');
    const view = parseJsonField(params, 'view');
    if (view.error || view.value === undefined) return fail('invalid_arguments');
    const errors = validateView(view.value, 'home');
    if (errors.length) return invalidBlocks(errors);
    const id = `VH${user}`;
    ws.views.set(id, { type: 'home', user, view: view.value });
    return { ok: true, view: { id, ...(view.value as object) } };
  },
};

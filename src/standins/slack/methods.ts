/**
 * The Web API methods the bot uses, answered as Slack answers them: the same
 * argument checks, error codes and response shapes, over a small in-memory
 * workspace (users, user groups, channels, messages).
 */
import { validateBlocks, validateView } from './block-kit';

export type Params = Record<string, unknown>;
export type Answer = Record<string, unknown> & { ok: boolean };

export interface Workspace {
  teamId: string;
  botUserId: string;
  users: Map<string, { name: string; tz: string; isBot?: boolean }>;
  usergroups: Map<string, string[]>;
  channels: Map<string, { name: string }>;
  messages: Map<string, { channel: string; ts: string; text?: string; blocks?: unknown; thread_ts?: string; edits: number }>;
  views: Map<string, { type: string; user?: string; view: unknown }>;
  nextTs: number;
}

export const MAX_TEXT = 40_000;

const fail = (error: string, extra: Record<string, unknown> = {}): Answer => ({ ok: false, error, ...extra });

function parseJsonField(params: Params, name: string): { value?: unknown; error?: Answer } {
  const raw = params[name];
  if (raw === undefined) return {};
  if (typeof raw !== 'string') return { value: raw };
  try {
    return { value: JSON.parse(raw) };
  } catch {
    return { error: fail(name === 'view' ? 'invalid_arguments' : 'invalid_blocks_format') };
  }
}

function invalidBlocks(errors: string[]): Answer {
  return fail('invalid_blocks', { errors, response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } });
}

function messageContent(params: Params): { text?: string; blocks?: unknown; error?: Answer } {
  const blocks = parseJsonField(params, 'blocks');
  if (blocks.error) return { error: blocks.error };
  const text = typeof params.text === 'string' ? params.text : undefined;
  if (!text && blocks.value === undefined && params.attachments === undefined) return { error: fail('no_text') };
  if (text && text.length > MAX_TEXT) return { error: fail('msg_too_long') };
  if (blocks.value !== undefined) {
    const errors = validateBlocks(blocks.value, 'message');
    if (errors.length) return { error: invalidBlocks(errors) };
  }
  return { text, blocks: blocks.value };
}

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
    const channel = String(params.channel ?? '');
    if (!channel) return fail('channel_not_found');
    if (!ws.channels.has(channel) && !channel.startsWith('D')) return fail('channel_not_found');
    const content = messageContent(params);
    if (content.error) return content.error;
    const threadTs = typeof params.thread_ts === 'string' ? params.thread_ts : undefined;
    if (threadTs && !ws.messages.has(`${channel}:${threadTs}`)) return fail('thread_not_found');
    const ts = nextTs(ws);
    ws.messages.set(`${channel}:${ts}`, { channel, ts, text: content.text, blocks: content.blocks, thread_ts: threadTs, edits: 0 });
    return { ok: true, channel, ts, message: { type: 'message', text: content.text ?? '', blocks: content.blocks, ts, thread_ts: threadTs, bot_id: 'B0STANDIN' } };
  },
  'chat.update': (ws, params) => {
    const channel = String(params.channel ?? '');
    const ts = String(params.ts ?? '');
    const existing = ws.messages.get(`${channel}:${ts}`);
    if (!ws.channels.has(channel) && !channel.startsWith('D')) return fail('channel_not_found');
    if (!existing) return fail('message_not_found');
    const content = messageContent(params);
    if (content.error) return content.error;
    existing.text = content.text;
    existing.blocks = content.blocks;
    existing.edits += 1;
    return { ok: true, channel, ts, text: content.text ?? '' };
  },
  'chat.postEphemeral': (ws, params) => {
    const channel = String(params.channel ?? '');
    if (!ws.channels.has(channel) && !channel.startsWith('D')) return fail('channel_not_found');
    if (!ws.users.has(String(params.user ?? ''))) return fail('user_not_in_channel');
    const content = messageContent(params);
    if (content.error) return content.error;
    return { ok: true, message_ts: nextTs(ws) };
  },
  'conversations.open': (ws, params) => {
    const users = String(params.users ?? '').split(',').filter(Boolean);
    if (users.length === 0) return fail('users_list_not_supplied');
    const unknown = users.find((u) => !ws.users.has(u));
    if (unknown) return fail('user_not_found');
    return { ok: true, channel: { id: `D${users.join('').slice(1, 11)}` } };
  },
  'conversations.info': (ws, params) => {
    const id = String(params.channel ?? '');
    const channel = ws.channels.get(id);
    if (!channel) return fail('channel_not_found');
    return { ok: true, channel: { id, name: channel.name, is_channel: id.startsWith('C'), is_private: id.startsWith('G'), is_member: true } };
  },
  'users.info': (ws, params) => {
    const id = String(params.user ?? '');
    const user = ws.users.get(id);
    if (!user) return fail('user_not_found');
    return { ok: true, user: { id, team_id: ws.teamId, name: user.name, real_name: user.name, tz: user.tz, is_bot: user.isBot ?? false, profile: { real_name: user.name, display_name: user.name } } };
  },
  'usergroups.users.list': (ws, params) => {
    const users = ws.usergroups.get(String(params.usergroup ?? ''));
    if (!users) return fail('no_such_subteam');
    return { ok: true, users };
  },
  'views.open': (ws, params) => {
    if (typeof params.trigger_id !== 'string' || !/^\d+\.\d+\.[0-9a-f]+$/.test(params.trigger_id)) return fail('invalid_trigger_id');
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

/**
 * The Slack stand-in's argument checks for a message (chat.postMessage, chat.update, chat.postEphemeral) and a
 * view: the JSON fields, the text length, Block Kit and message metadata, failing with Slack's error codes.
 */
import { validateBlocks } from './block-kit';
import type { Answer, Params } from './methods';

/** Message metadata as posted: {event_type, event_payload}. */
export interface MessageMetadata {
  event_type: string;
  event_payload: Record<string, unknown>;
}

const MAX_TEXT = 40_000;

export const fail = (error: string, extra: Record<string, unknown> = {}): Answer => ({ ok: false, error, ...extra });

export function parseJsonField(params: Params, name: string): { value?: unknown; error?: Answer } {
  const raw = params[name];
  if (raw === undefined) return {};
  if (typeof raw !== 'string') return { value: raw };
  try {
    return { value: JSON.parse(raw) };
  } catch {
    return { error: fail(name === 'view' ? 'invalid_arguments' : 'invalid_blocks_format') };
  }
}

export function invalidBlocks(errors: string[]): Answer {
  return fail('invalid_blocks', { errors, response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } });
}

export function messageContent(params: Params): { text?: string; blocks?: unknown; error?: Answer } {
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

export function parseMetadata(params: Params): { value?: MessageMetadata; error?: Answer } {
  const parsed = parseJsonField(params, 'metadata');
  if (parsed.error) return { error: fail('invalid_metadata_format') };
  if (parsed.value === undefined) return {};
  const value = parsed.value as { event_type?: unknown; event_payload?: unknown };
  if (typeof value.event_type !== 'string' || !/^[\w.-]{1,255}$/.test(value.event_type))
    return { error: fail('invalid_metadata_schema') };
  if (typeof value.event_payload !== 'object' || value.event_payload === null || Array.isArray(value.event_payload))
    return { error: fail('invalid_metadata_schema') };
  return { value: { event_type: value.event_type, event_payload: value.event_payload as Record<string, unknown> } };
}

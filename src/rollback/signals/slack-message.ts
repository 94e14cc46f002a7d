/**
 * The parts of a Slack message event the alert parsers read. Integrations post
 * either plain `text`, legacy `attachments` (Alertmanager, Grafana, Datadog,
 * Sentry's classic format) or `blocks`; we read all three.
 */
interface SlackAttachment {
  title?: string;
  title_link?: string;
  text?: string;
  pretext?: string;
  fallback?: string;
  footer?: string;
  color?: string;
  fields?: ReadonlyArray<{ title?: string; value?: string }>;
}

export interface SlackMessageLike {
  text?: string;
  ts?: string;
  username?: string;
  bot_id?: string;
  subtype?: string;
  bot_profile?: { name?: string };
  attachments?: readonly SlackAttachment[];
  blocks?: readonly unknown[];
}

/** Every text in a block tree (section text, fields, context elements, header). */
function blockTexts(node: unknown, out: string[]): void {
  if (Array.isArray(node)) {
    for (const child of node) blockTexts(child, out);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (typeof record.text === 'string') out.push(record.text);
  for (const key of ['text', 'fields', 'elements', 'accessory']) {
    if (key in record && typeof record[key] === 'object') blockTexts(record[key], out);
  }
}

function blocksText(message: SlackMessageLike): string {
  const out: string[] = [];
  blockTexts(message.blocks ?? [], out);
  return out.join('\n');
}

/** The whole message as text, for service and symptom search. */
export function messageText(message: SlackMessageLike): string {
  const parts: string[] = [];
  if (message.text) parts.push(message.text);
  for (const a of message.attachments ?? []) {
    for (const part of [a.pretext, a.title, a.text, a.footer]) if (part) parts.push(part);
    for (const f of a.fields ?? []) parts.push(`${f.title ?? ''}: ${f.value ?? ''}`);
  }
  const fromBlocks = blocksText(message);
  if (fromBlocks) parts.push(fromBlocks);
  return parts.join('\n');
}

/** Links in attachments and in Slack's <url|label> markup. */
export function messageLinks(message: SlackMessageLike): string[] {
  const links = (message.attachments ?? []).map((a) => a.title_link).filter((l): l is string => !!l);
  for (const match of messageText(message).matchAll(/<(https?:\/\/[^|>]+)(\|[^>]*)?>/g)) {
    if (match[1]) links.push(match[1]);
  }
  return links;
}

export function senderName(message: SlackMessageLike): string {
  return `${message.username ?? ''} ${message.bot_profile?.name ?? ''}`.toLowerCase();
}

/** Slack's ts is "seconds.microseconds"; an absent or odd ts falls back to receipt time. */
export function messageTime(message: SlackMessageLike, receivedAt: Date): Date {
  const seconds = message.ts === undefined ? Number.NaN : Number(message.ts);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(Math.round(seconds * 1000)) : receivedAt;
}

/** "<https://x|label>" -> "label", "<https://x>" -> "https://x", so matching reads what people see. */
export function plainText(raw: string): string {
  return raw
    .replace(/<([^|>]+)\|([^>]*)>/g, '$2')
    .replace(/<([^>]+)>/g, '$1')
    .replace(/[*_~`]/g, '');
}

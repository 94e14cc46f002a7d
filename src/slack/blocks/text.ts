/**
 * Text for Block Kit: escaping of Slack's mrkdwn control characters and
 * truncation that always fits the limit and never cuts an entity (&amp;), a
 * mention or link (<…>) or a surrogate pair in half, so a long reason or
 * error message can never make Slack refuse the whole message.
 */

/** Slack's own limits, in UTF-16 code units as Slack counts them. */
export const LIMITS = {
  sectionText: 3000,
  field: 2000,
  fields: 10,
  header: 150,
  button: 75,
  buttonValue: 2000,
  contextElements: 10,
  contextText: 2000,
  messageBlocks: 50,
  viewBlocks: 100,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  modalTitle: 24,
  optionText: 75,
  optionValue: 150,
  selectOptions: 100,
  placeholder: 150,
  inputLabel: 2000,
  /** Slack truncates `text` past 40,000; a notification never needs more than this. */
  fallback: 3000,
} as const;

const ELLIPSIS = '…';

/** Escapes the three characters Slack parses in mrkdwn, so user text cannot mention, link or break markup. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function unescapeMrkdwn(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function safeCut(text: string, at: number): string {
  let cut = text.slice(0, at);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  // Raw "<" and "&" only come from our own markup (user text is escaped), so an unclosed one was cut mid-token.
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
  const amp = cut.lastIndexOf('&');
  if (amp > cut.lastIndexOf(';')) cut = cut.slice(0, amp);
  return cut;
}

/** `text` if it fits in `max`, else as much as fits followed by an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${safeCut(text, max - ELLIPSIS.length).trimEnd()}${ELLIPSIS}`;
}

/**
 * As many whole parts (sentences, list items) as fit in `max`, joined, with
 * "(+N more)" for the rest: never a cut in the middle of one. A first part too
 * long on its own is cut at a word boundary.
 */
export function wholeParts(parts: readonly string[], max: number, separator = '; '): string {
  const more = (n: number): string => (n > 0 ? ` (+${n} more)` : '');
  let taken = '';
  let count = 0;
  for (const part of parts) {
    const next = count === 0 ? part : `${taken}${separator}${part}`;
    if (next.length + more(parts.length - count - 1).length > max) break;
    taken = next;
    count += 1;
  }
  if (count > 0) return `${taken}${more(parts.length - count)}`;
  const first = parts[0] ?? '';
  const room = max - ELLIPSIS.length - more(parts.length - 1).length;
  const cut = first.slice(0, room);
  const space = cut.lastIndexOf(' ');
  return `${(space > room / 2 ? cut.slice(0, space) : cut).trimEnd()}${ELLIPSIS}${more(parts.length - 1)}`;
}

/** A code block of `content` (already escaped) whose closing fence survives truncation. */
export function codeBlock(content: string, max: number): string {
  const fence = '```';
  return `${fence}${truncate(content, max - 2 * fence.length)}${fence}`;
}

/** Escaped inline code; a backtick inside user text would end the span early. */
export function inlineCode(text: string): string {
  return `\`${escapeMrkdwn(text).replace(/`/g, 'ˋ')}\``;
}

/** A Slack mention for a user id; anything else (e.g. "alert:grafana") is shown as escaped text. */
export function mention(user: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(user) ? `<@${user}>` : escapeMrkdwn(user);
}

/** A link when `url` is http(s), else just the label (plain text, escaped here). */
export function link(url: string | undefined, label: string): string {
  return linkMrkdwn(url, escapeMrkdwn(label));
}

/** Like `link`, for a label that is already escaped mrkdwn. */
export function linkMrkdwn(url: string | undefined, label: string): string {
  if (!url || !/^https?:\/\/[^\s]+$/.test(url)) return label;
  const safeUrl = url.replace(/&/g, '&amp;').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/\|/g, '%7C');
  return `<${safeUrl}|${label.replace(/\|/g, '¦')}>`;
}

/** The notification fallback (`text` of a message): mrkdwn too, so escaped by the caller, then capped. */
export function fallback(text: string): string {
  return truncate(text, LIMITS.fallback);
}

/** One line of user text: newlines collapsed so it cannot break a bullet list or a field. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

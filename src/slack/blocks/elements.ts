/**
 * Small constructors for the blocks the builders use. Each one applies the
 * Block Kit limit of what it builds, so a builder only decides content.
 * Strings passed as mrkdwn must already be escaped (see text.ts).
 */
import type { types } from '@slack/bolt';
import { LIMITS, truncate } from './text';

export type Block = types.KnownBlock;

/** What every message builder returns: the notification text and the blocks. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

export const plainText = (text: string, max: number): types.PlainTextElement => ({
  type: 'plain_text',
  text: truncate(text.trim() === '' ? '-' : text, max),
  emoji: true,
});

const mrkdwnText = (text: string, max: number): types.MrkdwnElement => ({
  type: 'mrkdwn',
  text: truncate(text.trim() === '' ? '-' : text, max),
});

export const header = (text: string): types.HeaderBlock => ({ type: 'header', text: plainText(text, LIMITS.header) });

export const section = (text: string): types.SectionBlock => ({
  type: 'section',
  text: mrkdwnText(text, LIMITS.sectionText),
});

export const divider = (): types.DividerBlock => ({ type: 'divider' });

/** Context elements beyond Slack's ten are joined into the tenth, so nothing is silently dropped. */
export function context(parts: readonly string[]): types.ContextBlock {
  const kept = parts.filter((part) => part.trim() !== '');
  const head = kept.slice(0, LIMITS.contextElements - 1);
  const tail = kept.slice(LIMITS.contextElements - 1);
  const all = tail.length > 0 ? [...head, tail.join(' · ')] : head;
  const elements = (all.length > 0 ? all : ['-']).map((part) => mrkdwnText(part, LIMITS.contextText));
  return { type: 'context', elements };
}

/** "*Label:*\nvalue" fields, ten per section as Slack allows. */
export function fieldSections(pairs: readonly (readonly [string, string])[]): types.SectionBlock[] {
  const sections: types.SectionBlock[] = [];
  for (let i = 0; i < pairs.length; i += LIMITS.fields) {
    const fields = pairs
      .slice(i, i + LIMITS.fields)
      .map(([label, value]) => mrkdwnText(`*${label}:*\n${value}`, LIMITS.field));
    sections.push({ type: 'section', fields });
  }
  return sections;
}

interface ConfirmSpec {
  title: string;
  text: string;
  confirm: string;
  deny: string;
}

interface ButtonSpec {
  actionId: string;
  text: string;
  value: string;
  style?: 'primary' | 'danger';
  confirm?: ConfirmSpec;
}

export function button(spec: ButtonSpec): types.Button {
  const element: types.Button = {
    type: 'button',
    action_id: spec.actionId,
    text: plainText(spec.text, LIMITS.button),
    value: spec.value.slice(0, LIMITS.buttonValue),
  };
  if (spec.style) element.style = spec.style;
  if (spec.confirm) {
    element.confirm = {
      title: plainText(spec.confirm.title, LIMITS.confirmTitle),
      text: mrkdwnText(spec.confirm.text, LIMITS.confirmText),
      confirm: plainText(spec.confirm.confirm, LIMITS.confirmButton),
      deny: plainText(spec.confirm.deny, LIMITS.confirmButton),
      style: spec.style === 'danger' ? 'danger' : 'primary',
    };
  }
  return element;
}

export const actions = (blockId: string, buttons: readonly types.Button[]): types.ActionsBlock => ({
  type: 'actions',
  block_id: blockId.slice(0, 255),
  elements: buttons.slice(0, 25),
});

/**
 * Packs lines into as few sections as possible (3000 characters each) and at
 * most `maxSections`; what does not fit is counted in a last "…and N more" line.
 * A single line longer than a section is truncated.
 */
export function packLines(
  lines: readonly string[],
  maxSections: number,
  more: (n: number) => string,
): types.SectionBlock[] {
  const max = LIMITS.sectionText;
  const size = (chunk: readonly string[]): number =>
    chunk.reduce((sum, line) => sum + line.length, 0) + Math.max(0, chunk.length - 1);
  const chunks: string[][] = [];
  let current: string[] = [];
  let placed = 0;
  for (const raw of lines) {
    const line = truncate(raw, max);
    if (current.length > 0 && size(current) + 1 + line.length > max) {
      if (chunks.length + 1 >= maxSections) break;
      chunks.push(current);
      current = [];
    }
    current.push(line);
    placed += 1;
  }
  if (current.length > 0) chunks.push(current);
  let left = lines.length - placed;
  if (left > 0) {
    const last = chunks[chunks.length - 1] ?? [];
    // Room for the note, whose own length grows with the count it reports.
    while (last.length > 0 && size(last) + 1 + more(left + 1).length > max) {
      last.pop();
      left += 1;
    }
    last.push(more(left));
    if (chunks.length === 0) chunks.push(last);
  }
  return chunks.map((chunk) => section(chunk.join('\n')));
}

/**
 * Last line of defence for a message: Slack refuses more than `max` blocks.
 * The first blocks and the very last one (usually the buttons or the
 * incident context) are kept, with a note of what was left out between them.
 */
export function capBlocks(blocks: Block[], max: number): Block[] {
  if (blocks.length <= max) return blocks;
  const last = blocks[blocks.length - 1] as Block;
  const head = blocks.slice(0, max - 2);
  const omitted = blocks.length - head.length - 1;
  return [...head, context([`…${omitted} more block(s) not shown.`]), last];
}

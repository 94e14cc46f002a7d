/**
 * Blocks as a reader sees them, in plain text: headers, sections and their
 * fields, context lines, buttons as [Label], inputs as "Label: [...]". The
 * drill prints threads with it and tests read messages through it. Accepts
 * blocks as built or as parsed back from a Slack payload.
 */
import { unescapeMrkdwn } from './text';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** mrkdwn to what the reader sees: mentions as @U…, links as "label (url)", entities decoded. */
export function readMrkdwn(text: string): string {
  const visible = text.replace(/<([^<>]+)>/g, (_whole, inner: string) => {
    if (inner.startsWith('@') || inner.startsWith('#')) return inner.split('|')[0] ?? inner;
    if (inner.startsWith('!')) return `@${(inner.slice(1).split('|')[0] ?? '').split('^')[0]}`;
    const [url, label] = inner.split('|');
    return label ? `${label} (${url})` : (url ?? '');
  });
  return unescapeMrkdwn(visible);
}

function textOf(value: unknown): string {
  if (!isObject(value) || typeof value.text !== 'string') return '';
  return value.type === 'mrkdwn' ? readMrkdwn(value.text) : value.text;
}

function elementText(element: unknown): string {
  if (!isObject(element)) return '';
  switch (element.type) {
    case 'button':
      return `[${textOf(element.text)}]`;
    case 'static_select':
    case 'users_select':
    case 'conversations_select': {
      const chosen = isObject(element.initial_option)
        ? textOf(element.initial_option.text)
        : textOf(element.placeholder);
      return `[select: ${chosen}]`;
    }
    case 'radio_buttons':
    case 'checkboxes': {
      const options = Array.isArray(element.options) ? element.options : [];
      // Radio buttons have one initial_option; checkboxes a list of initial_options.
      const initial = Array.isArray(element.initial_options) ? element.initial_options : [element.initial_option];
      const chosen = new Set(initial.filter(isObject).map((o) => o.value));
      return options
        .map((o) => (isObject(o) ? `(${chosen.has(o.value) ? 'x' : ' '}) ${textOf(o.text)}` : ''))
        .join('  ');
    }
    case 'plain_text_input': {
      const value = typeof element.initial_value === 'string' ? element.initial_value : textOf(element.placeholder);
      return `[${value}]`;
    }
    default:
      return `[${String(element.type)}]`;
  }
}

function blockText(block: unknown): string {
  if (!isObject(block)) return '';
  switch (block.type) {
    case 'header':
      return textOf(block.text);
    case 'section': {
      const parts = [textOf(block.text), ...(Array.isArray(block.fields) ? block.fields.map(textOf) : [])].filter(
        (part) => part !== '',
      );
      if (block.accessory !== undefined) parts.push(elementText(block.accessory));
      return parts.join('\n');
    }
    case 'context':
      return Array.isArray(block.elements) ? block.elements.map(textOf).filter(Boolean).join(' · ') : '';
    case 'actions':
      return Array.isArray(block.elements) ? block.elements.map(elementText).join(' ') : '';
    case 'divider':
      return '---';
    case 'input': {
      const optional = block.optional === true ? ' (optional)' : '';
      const hint = block.hint !== undefined ? `\n  ${textOf(block.hint)}` : '';
      return `${textOf(block.label)}${optional}: ${elementText(block.element)}${hint}`;
    }
    default:
      return `[${String(block.type)}]`;
  }
}

/** One paragraph per block, separated by blank lines. */
export function renderText(blocks: unknown): string {
  if (!Array.isArray(blocks)) return '';
  return blocks
    .map(blockText)
    .filter((text) => text !== '')
    .join('\n\n');
}

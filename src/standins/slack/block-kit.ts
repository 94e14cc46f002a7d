/**
 * Block Kit limits as Slack's Web API enforces them (block, element and text
 * object sizes), worded like Slack's own `invalid_blocks` errors with a JSON
 * pointer. The stand-in refuses what Slack would refuse.
 */
type Surface = 'message' | 'modal' | 'home';

const BLOCK_LIMITS = { message: 50, modal: 100, home: 100 } as const;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

class Checker {
  readonly errors: string[] = [];
  fail(pointer: string, message: string): void {
    this.errors.push(`${message} [json-pointer:${pointer}]`);
  }
  maxLength(value: unknown, max: number, pointer: string): void {
    if (typeof value === 'string' && value.length > max) this.fail(pointer, `must be less than ${max + 1} characters`);
  }
  text(value: unknown, pointer: string, max: number, plainOnly = false): void {
    if (!isObject(value)) return this.fail(pointer, 'must provide an object');
    if (value.type !== 'plain_text' && value.type !== 'mrkdwn')
      return this.fail(`${pointer}/type`, 'must be plain_text or mrkdwn');
    if (plainOnly && value.type !== 'plain_text') return this.fail(`${pointer}/type`, 'must be plain_text');
    if (typeof value.text !== 'string' || value.text.length === 0)
      return this.fail(`${pointer}/text`, 'must be a non-empty string');
    this.maxLength(value.text, max, `${pointer}/text`);
  }
  confirm(value: unknown, pointer: string): void {
    if (value === undefined) return;
    if (!isObject(value)) return this.fail(pointer, 'must provide an object');
    this.text(value.title, `${pointer}/title`, 100, true);
    this.text(value.text, `${pointer}/text`, 300);
    this.text(value.confirm, `${pointer}/confirm`, 30, true);
    this.text(value.deny, `${pointer}/deny`, 30, true);
  }
  element(value: unknown, pointer: string): void {
    if (!isObject(value)) return this.fail(pointer, 'must provide an object');
    this.maxLength(value.action_id, 255, `${pointer}/action_id`);
    switch (value.type) {
      case 'button':
        this.text(value.text, `${pointer}/text`, 75, true);
        this.maxLength(value.value, 2000, `${pointer}/value`);
        this.maxLength(value.url, 3000, `${pointer}/url`);
        if (value.style !== undefined && value.style !== 'primary' && value.style !== 'danger') {
          this.fail(`${pointer}/style`, 'must be primary or danger');
        }
        this.confirm(value.confirm, `${pointer}/confirm`);
        return;
      case 'checkboxes':
      case 'radio_buttons':
      case 'static_select': {
        const options = value.options;
        if (!Array.isArray(options) || options.length === 0)
          return this.fail(`${pointer}/options`, 'must provide at least one option');
        const max = value.type === 'static_select' ? 100 : 10;
        if (options.length > max) this.fail(`${pointer}/options`, `must provide no more than ${max} items`);
        options.forEach((option: unknown, i) => {
          const at = `${pointer}/options/${i}`;
          if (!isObject(option)) return this.fail(at, 'must provide an object');
          this.text(option.text, `${at}/text`, 75);
          this.maxLength(option.value, 150, `${at}/value`);
          return undefined;
        });
        return;
      }
      case 'plain_text_input':
        this.maxLength(value.initial_value, 3000, `${pointer}/initial_value`);
        return;
      case 'users_select':
      case 'conversations_select':
      case 'datepicker':
      case 'overflow':
      case 'image':
        return;
      default:
        this.fail(`${pointer}/type`, `unsupported element type ${String(value.type)}`);
    }
  }
  block(value: unknown, pointer: string, surface: Surface): void {
    if (!isObject(value)) return this.fail(pointer, 'must provide an object');
    this.maxLength(value.block_id, 255, `${pointer}/block_id`);
    switch (value.type) {
      case 'section': {
        if (value.text === undefined && value.fields === undefined)
          return this.fail(pointer, 'must provide text or fields');
        if (value.text !== undefined) this.text(value.text, `${pointer}/text`, 3000);
        if (value.fields !== undefined) {
          if (!Array.isArray(value.fields) || value.fields.length > 10)
            return this.fail(`${pointer}/fields`, 'must provide no more than 10 items');
          value.fields.forEach((field: unknown, i) => this.text(field, `${pointer}/fields/${i}`, 2000));
        }
        if (value.accessory !== undefined) this.element(value.accessory, `${pointer}/accessory`);
        return;
      }
      case 'header':
        return this.text(value.text, `${pointer}/text`, 150, true);
      case 'divider':
        return;
      case 'context': {
        const elements = value.elements;
        if (!Array.isArray(elements) || elements.length === 0)
          return this.fail(`${pointer}/elements`, 'must provide at least one item');
        if (elements.length > 10) this.fail(`${pointer}/elements`, 'must provide no more than 10 items');
        elements.forEach((element: unknown, i) => this.text(element, `${pointer}/elements/${i}`, 2000));
        return;
      }
      case 'actions': {
        const elements = value.elements;
        if (!Array.isArray(elements) || elements.length === 0)
          return this.fail(`${pointer}/elements`, 'must provide at least one item');
        if (elements.length > 25) this.fail(`${pointer}/elements`, 'must provide no more than 25 items');
        elements.forEach((element: unknown, i) => this.element(element, `${pointer}/elements/${i}`));
        return;
      }
      case 'input':
        if (surface === 'message')
          return this.fail(`${pointer}/type`, 'input blocks are only allowed in modals and home tabs');
        this.text(value.label, `${pointer}/label`, 2000, true);
        this.element(value.element, `${pointer}/element`);
        return;
      default:
        this.fail(`${pointer}/type`, `unsupported block type ${String(value.type)}`);
    }
  }
}

/** Returns Slack-style error strings; empty when the blocks would be accepted. */
export function validateBlocks(blocks: unknown, surface: Surface): string[] {
  const checker = new Checker();
  if (!Array.isArray(blocks)) {
    checker.fail('/blocks', 'must provide an array');
    return checker.errors;
  }
  const max = BLOCK_LIMITS[surface];
  if (blocks.length > max) checker.fail('/blocks', `must provide no more than ${max} items`);
  blocks.forEach((block, i) => checker.block(block, `/blocks/${i}`, surface));
  return checker.errors;
}

/** A modal or home view's own fields, then its blocks. */
export function validateView(view: unknown, expected: 'modal' | 'home'): string[] {
  const checker = new Checker();
  if (!isObject(view)) {
    checker.fail('/view', 'must provide an object');
    return checker.errors;
  }
  if (view.type !== expected) checker.fail('/type', `must be ${expected}`);
  if (expected === 'modal') {
    checker.text(view.title, '/title', 24, true);
    if (view.submit !== undefined) checker.text(view.submit, '/submit', 24, true);
    if (view.close !== undefined) checker.text(view.close, '/close', 24, true);
  }
  checker.maxLength(view.callback_id, 255, '/callback_id');
  checker.maxLength(view.private_metadata, 3000, '/private_metadata');
  return [...checker.errors, ...validateBlocks(view.blocks, expected)];
}

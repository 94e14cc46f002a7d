/** The controls a message of the bot carries, and what Slack sends when someone uses one. */
import { MESSAGE_ACTION_IDS } from '../../../src/slack/action-ids';

/** A control a message of the bot carries, as rendered (from the blocks stored for Slack). */
export interface Control {
  actionId: string;
  blockId: string;
  type: string;
  value?: string;
  options?: { value?: string; text?: unknown }[];
}

export function controlsIn(blocks: unknown): Control[] {
  const found: Control[] = [];
  const visit = (element: Record<string, unknown>, blockId: string): void => {
    if (
      typeof element.action_id === 'string' &&
      (MESSAGE_ACTION_IDS as readonly string[]).includes(element.action_id)
    ) {
      found.push({
        actionId: element.action_id,
        blockId,
        type: String(element.type),
        value: element.value as string | undefined,
        options: element.options as Control['options'],
      });
    }
  };
  for (const block of Array.isArray(blocks) ? (blocks as Record<string, unknown>[]) : []) {
    const blockId = String(block.block_id ?? '');
    for (const element of (Array.isArray(block.elements) ? block.elements : []) as Record<string, unknown>[])
      visit(element, blockId);
    if (block.accessory) visit(block.accessory as Record<string, unknown>, blockId);
  }
  return found;
}

/** What Slack sends when someone uses the control: a button press, every box ticked, the first menu option. */
export function actionOf(control: Control): Record<string, unknown> {
  const common = { action_id: control.actionId, block_id: control.blockId, action_ts: `${Date.now() / 1000}` };
  switch (control.type) {
    case 'checkboxes':
      return { ...common, type: 'checkboxes', selected_options: control.options ?? [] };
    case 'overflow':
    case 'static_select':
      return { ...common, type: control.type, selected_option: control.options?.[0] };
    default:
      return {
        ...common,
        type: 'button',
        value: control.value ?? '',
        text: { type: 'plain_text', text: control.actionId },
      };
  }
}

/**
 * The post-rollback checklist's controls: the checkboxes of a horizon (Slack
 * sends every ticked box of that group) and the snooze menu of an open item.
 * Ack at once, let the domain check the role and change the items, answer the
 * clicker ephemerally; the checklist message re-renders through the announcer.
 */
import type { App, BlockAction, BlockElementAction } from '@slack/bolt';
import type { Logger } from '../../../logger';
import { asRollbackError, explainRefusal } from '../../../rollback/errors';
import {
  type FollowUpChange,
  SNOOZES,
  type SnoozeKey,
  answerFollowUp,
} from '../../../rollback/follow-up/follow-through';
import type { SlackUserId } from '../../../rollback/ids';
import type { EngineDeps } from '../../../rollback/incident/engine-deps';
import { FOLLOW_UP_SNOOZE, FOLLOW_UP_TICK } from '../../action-ids';
import { readSnoozeValue, readTickBlockId } from '../../blocks/follow-up-checklist';

interface Parsed {
  incidentId: string;
  change?: FollowUpChange;
}

const isSnooze = (key: string): key is SnoozeKey => SNOOZES.some((s) => s.key === key);

interface ShownBlock {
  block_id?: string;
  elements?: { type?: string; initial_options?: { value?: string }[] }[];
  accessory?: { type?: string; initial_options?: { value?: string }[] };
}

/** What the clicked checkbox group showed ticked in the clicker's copy of the message (before the click). */
function shownTicked(body: BlockAction, blockId: string): string[] | undefined {
  const blocks =
    (body.message as { blocks?: ShownBlock[] } | undefined)?.blocks ??
    (body.view as { blocks?: ShownBlock[] } | undefined)?.blocks ??
    [];
  const block = blocks.find((b) => b.block_id === blockId);
  if (!block) return undefined;
  const element = [...(block.elements ?? []), ...(block.accessory ? [block.accessory] : [])].find(
    (e) => e.type === 'checkboxes',
  );
  return element ? (element.initial_options ?? []).map((o) => o.value ?? '') : undefined;
}

/** The incident and the change a payload carries; a payload of another shape names at most its incident. */
function parse(action: BlockElementAction, body: BlockAction): Parsed | undefined {
  if (action.type === 'checkboxes') {
    const block = readTickBlockId(action.block_id);
    if (!block) return undefined;
    const selected = action.selected_options.map((o) => o.value ?? '');
    return {
      incidentId: block.incidentId,
      change: { kind: 'tick', horizon: block.horizon, selected, shown: shownTicked(body, action.block_id) },
    };
  }
  if (action.type === 'overflow') {
    const value = readSnoozeValue(action.selected_option.value);
    if (!value) return undefined;
    return {
      incidentId: value.incidentId,
      change: isSnooze(value.snooze) ? { kind: 'snooze', itemId: value.itemId, snooze: value.snooze } : undefined,
    };
  }
  const value = 'value' in action && typeof action.value === 'string' ? action.value : '';
  return value ? { incidentId: value } : undefined;
}

export function registerFollowUpActions(app: App, deps: { engine: () => EngineDeps; logger: Logger }): void {
  for (const actionId of [FOLLOW_UP_TICK, FOLLOW_UP_SNOOZE]) {
    app.action<BlockAction>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      let text: string;
      try {
        const parsed = parse(action, body);
        if (!parsed) {
          text =
            ':warning: This control does not name a post-rollback checklist item; nothing was ' +
            'changed. Use the checklist message in the incident thread.';
        } else {
          text = await answerFollowUp(deps.engine(), {
            incidentId: parsed.incidentId,
            actor: body.user.id as SlackUserId,
            change: parsed.change,
          });
        }
      } catch (error) {
        const failure = asRollbackError(error);
        deps.logger.info({ err: failure, user: body.user.id, actionId }, 'post-rollback checklist change refused');
        text = `:warning: ${explainRefusal(failure)}`;
      }
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    });
  }
}

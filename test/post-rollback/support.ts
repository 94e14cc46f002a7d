/**
 * Payload builders for the checklist's controls (Slack sends checkboxes and
 * overflow menus as block_actions of their own shapes), and a SQL helper.
 */
import { randomBytes } from 'node:crypto';
import type { SlackHttpResponse, SlackRequestSender } from '../../src/standins/slack/signed-requests';
import { FOLLOW_UP_SNOOZE, FOLLOW_UP_TICK } from '../../src/slack/action-ids';

function blockActions(
  fields: { userId: string; responseUrl: string; messageTs?: string; blocks?: unknown[] },
  action: Record<string, unknown>,
): Record<string, unknown> {
  const ts = fields.messageTs ?? '1700000000.000001';
  return {
    type: 'block_actions',
    user: { id: fields.userId, username: fields.userId.toLowerCase(), team_id: 'T0STANDIN' },
    channel: { id: 'C0PRODALRT', name: 'prod-alerts' },
    container: { type: 'message', message_ts: ts, channel_id: 'C0PRODALRT', is_ephemeral: false },
    message: { ts, type: 'message', text: '', ...(fields.blocks ? { blocks: fields.blocks } : {}) },
    response_url: fields.responseUrl,
    actions: [{ action_ts: `${Date.now() / 1000}`, ...action }],
  };
}

/**
 * The checkboxes of one horizon with exactly `selected` ticked, as Slack reports a click.
 * `shown`: what the clicker's copy of the message showed ticked (Slack sends the message with the click).
 */
export function tick(
  sender: SlackRequestSender,
  responseUrl: (id: string) => string,
  fields: { userId: string; blockId: string; selected: string[]; shown?: string[] },
): Promise<{ response: SlackHttpResponse; responseId: string }> {
  const responseId = randomBytes(6).toString('hex');
  const option = (value: string) => ({ value, text: { type: 'mrkdwn', text: value } });
  const blocks = fields.shown
    ? [
        {
          type: 'actions',
          block_id: fields.blockId,
          elements: [
            { type: 'checkboxes', action_id: FOLLOW_UP_TICK, options: [], initial_options: fields.shown.map(option) },
          ],
        },
      ]
    : undefined;
  const payload = blockActions(
    { userId: fields.userId, responseUrl: responseUrl(responseId), blocks },
    {
      type: 'checkboxes',
      action_id: FOLLOW_UP_TICK,
      block_id: fields.blockId,
      selected_options: fields.selected.map((value) => ({ value, text: { type: 'mrkdwn', text: value } })),
    },
  );
  return sender.interaction(payload).then((response) => ({ response, responseId }));
}

/** One choice of an item's ⋯ menu. */
export function snooze(
  sender: SlackRequestSender,
  responseUrl: (id: string) => string,
  fields: { userId: string; value: string },
): Promise<{ response: SlackHttpResponse; responseId: string }> {
  const responseId = randomBytes(6).toString('hex');
  const payload = blockActions(
    { userId: fields.userId, responseUrl: responseUrl(responseId) },
    {
      type: 'overflow',
      action_id: FOLLOW_UP_SNOOZE,
      block_id: 'snooze',
      selected_option: { value: fields.value, text: { type: 'plain_text', text: fields.value } },
    },
  );
  return sender.interaction(payload).then((response) => ({ response, responseId }));
}

/** Every block of a recorded chat call, parsed. */
export function blocksOf(params: Record<string, unknown>): Record<string, unknown>[] {
  const raw = params.blocks;
  if (typeof raw !== 'string') return [];
  return JSON.parse(raw) as Record<string, unknown>[];
}

/** The ticked values of the checkboxes block with this block_id. */
export function tickedIn(blocks: Record<string, unknown>[], blockId: string): string[] {
  const block = blocks.find((b) => b.block_id === blockId) as
    { elements?: { initial_options?: { value: string }[] }[] } | undefined;
  return (block?.elements?.[0]?.initial_options ?? []).map((o) => o.value);
}

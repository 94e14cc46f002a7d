/**
 * A click on a control no listener knows (a button of a message an older
 * version of the bot posted) is answered at once with a hint, instead of
 * Slack's "this didn't work" after 3 seconds of silence (a 404 from Bolt).
 */
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Logger } from '../../logger';
import { MESSAGE_ACTION_IDS } from '../action-ids';

const UNKNOWN_ACTION_HINT =
  'This button belongs to an older message of rollback-bot and does nothing now; ' +
  'use `/rollback status` to see where things stand.';

const KNOWN = new Set<string>(MESSAGE_ACTION_IDS);

export function answerUnknownActions(
  logger: Logger,
  known: ReadonlySet<string> = KNOWN,
): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const body = args.body as { type?: string; actions?: { action_id?: string }[]; user?: { id?: string } };
    const actionIds = body.type === 'block_actions' ? (body.actions ?? []).map((a) => a.action_id ?? '') : [];
    if (actionIds.length === 0 || actionIds.some((id) => known.has(id))) {
      await args.next();
      return;
    }
    const { ack, respond } = args as unknown as {
      ack?: () => Promise<void>;
      respond?: (message: Record<string, unknown>) => Promise<unknown>;
    };
    await ack?.();
    logger.info(
      { actionIds, user: body.user?.id },
      'click on a control this version does not know; answered with a hint',
    );
    try {
      await respond?.({ response_type: 'ephemeral', replace_original: false, text: UNKNOWN_ACTION_HINT });
    } catch (error) {
      logger.warn({ err: error }, 'could not answer a click on an unknown control');
    }
  };
}

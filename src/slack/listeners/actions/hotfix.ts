/**
 * The decision tree's buttons: Hotfix, Hotfix is out, Roll back now. The value
 * carries the incident id; the engine checks the role and the question's state.
 */
import type { App, BlockButtonAction } from '@slack/bolt';
import type { Logger } from '../../../logger';
import { asRollbackError, explainRefusal } from '../../../rollback/errors';
import type { SlackUserId } from '../../../rollback/ids';
import type { EngineDeps } from '../../../rollback/incident/engine-deps';
import { type HotfixAnswer, answerHotfix } from '../../../rollback/incident/hotfix';
import { HOTFIX, HOTFIX_DONE, ROLLBACK_NOW } from '../../action-ids';

const ANSWERS: [string, HotfixAnswer][] = [
  [HOTFIX, 'hotfix'],
  [HOTFIX_DONE, 'hotfix_done'],
  [ROLLBACK_NOW, 'rollback_now'],
];

export function registerHotfixActions(app: App, deps: { engine: () => EngineDeps; logger: Logger }): void {
  for (const [actionId, answer] of ANSWERS) {
    app.action<BlockButtonAction>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      let text: string;
      try {
        text = await answerHotfix(deps.engine(), {
          incidentId: action.value ?? '',
          actor: body.user.id as SlackUserId,
          answer,
        });
      } catch (error) {
        const failure = asRollbackError(error);
        deps.logger.info({ err: failure, user: body.user.id, answer }, 'hotfix answer refused');
        text = `:warning: ${explainRefusal(failure)}`;
      }
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    });
  }
}

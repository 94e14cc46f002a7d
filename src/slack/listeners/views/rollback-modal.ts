/**
 * The /rollback form: its submission is validated field by field (errors shown
 * in the form), then handled exactly like the typed command.
 */
import type { App } from '@slack/bolt';
import type { Logger } from '../../../logger';
import { asRollbackError } from '../../../rollback/errors';
import type { SlackUserId } from '../../../rollback/ids';
import type { EngineDeps } from '../../../rollback/incident/engine-deps';
import { requestRollback } from '../../../rollback/incident/request-rollback';
import { ROLLBACK_MODAL_CALLBACK_ID } from '../../action-ids';
import { type ModalStateValues, readRollbackModal } from '../../blocks';

export function registerRollbackModal(app: App, deps: { engine: () => EngineDeps; logger: Logger }): void {
  app.view(ROLLBACK_MODAL_CALLBACK_ID, async ({ ack, body, view, client }) => {
    const engine = deps.engine();
    const answer = readRollbackModal(view.state.values as ModalStateValues, engine.services.map((s) => s.name));
    if (!answer.ok) {
      await ack({ response_action: 'errors', errors: answer.errors });
      return;
    }
    await ack();
    const user = body.user.id;
    const channel = view.private_metadata || undefined;
    let text: string;
    try {
      text = (await requestRollback(engine, { service: answer.service, request: answer.request, actor: user as SlackUserId })).message;
    } catch (error) {
      text = `:warning: ${asRollbackError(error).explain()}`;
    }
    try {
      if (channel) await client.chat.postEphemeral({ channel, user, text });
    } catch (error) {
      deps.logger.warn({ err: error, user }, 'could not tell the user the outcome of the /rollback form');
    }
  });
}

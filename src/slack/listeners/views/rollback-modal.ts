/**
 * The /rollback form: its submission is validated field by field (errors shown
 * in the form), then handled exactly like the typed command. The answer stays
 * where the user is: a refusal shows in the form under the service, a result
 * replaces the form. Only when the request takes longer than Slack waits for
 * the form's answer does the form close, and the result comes by direct
 * message (a channel the bot is not in, or a DM, cannot carry an ephemeral).
 */
import type { App } from '@slack/bolt';
import type { Logger } from '../../../logger';
import { asRollbackError, explainRefusal } from '../../../rollback/errors';
import type { SlackUserId } from '../../../rollback/ids';
import type { EngineDeps } from '../../../rollback/incident/engine-deps';
import { requestRollback } from '../../../rollback/incident/request-rollback';
import { ROLLBACK_MODAL_CALLBACK_ID, ROLLBACK_MODAL_FIELDS } from '../../action-ids';
import { type ModalStateValues, readRollbackModal } from '../../blocks';
import { rollbackResultModal } from '../../blocks/rollback-modal';
import { inTime } from '../in-time';

/** Slack waits 3 s for a view_submission's answer; what is not known by then comes by DM. */
const FORM_ANSWER_WITHIN_MS = 2_000;

type Outcome = { ok: true; text: string } | { ok: false; text: string };

export function registerRollbackModal(
  app: App,
  deps: { engine: () => EngineDeps; logger: Logger; formAnswerWithinMs?: number },
): void {
  app.view(ROLLBACK_MODAL_CALLBACK_ID, async ({ ack, body, view, client }) => {
    const engine = deps.engine();
    const answer = readRollbackModal(
      view.state.values as ModalStateValues,
      engine.services.map((s) => s.name),
    );
    if (!answer.ok) {
      await ack({ response_action: 'errors', errors: answer.errors });
      return;
    }
    const user = body.user.id;
    const outcome: Promise<Outcome> = requestRollback(engine, {
      service: answer.service,
      request: answer.request,
      actor: user as SlackUserId,
    }).then(
      (accepted) => ({ ok: true, text: accepted.message }),
      (error: unknown) => ({ ok: false, text: explainRefusal(asRollbackError(error)) }),
    );
    const answered = await inTime(outcome, deps.formAnswerWithinMs ?? FORM_ANSWER_WITHIN_MS);
    if (answered && !answered.ok) {
      await ack({
        response_action: 'errors',
        errors: { [ROLLBACK_MODAL_FIELDS.service.blockId]: answered.text.slice(0, 2000) },
      });
      return;
    }
    if (answered) {
      await ack({ response_action: 'update', view: rollbackResultModal(answered.text) });
      return;
    }
    await ack();
    const { text, ok } = await outcome;
    try {
      // A bot's chat.postMessage to a user id lands in its DM with that user: it works from any channel.
      await client.chat.postMessage({ channel: user, text: ok ? text : `:warning: ${text}` });
    } catch (error) {
      deps.logger.warn({ err: error, user }, 'could not tell the user the outcome of the /rollback form');
    }
  });
}

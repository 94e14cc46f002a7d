/**
 * Approve / Reject on an approval request: ack at once, check authority in the
 * domain, answer the clicker ephemerally. Double clicks and the same click on
 * two replicas change nothing twice (the decision is compare-and-set).
 */
import type { App, BlockButtonAction } from '@slack/bolt';
import type { Logger } from '../../../logger';
import { asRollbackError, explainRefusal } from '../../../rollback/errors';
import type { SlackUserId } from '../../../rollback/ids';
import { answerApproval } from '../../../rollback/incident/approvals';
import type { EngineDeps } from '../../../rollback/incident/engine-deps';
import { APPROVE, REJECT } from '../../action-ids';

export function registerApprovalActions(app: App, deps: { engine: () => EngineDeps; logger: Logger }): void {
  for (const [actionId, verdict] of [
    [APPROVE, 'approve'],
    [REJECT, 'reject'],
  ] as const) {
    app.action<BlockButtonAction>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      const approvalId = action.value ?? '';
      let text: string;
      try {
        text = (await answerApproval(deps.engine(), { approvalId, actor: body.user.id as SlackUserId, verdict }))
          .message;
      } catch (error) {
        const failure = asRollbackError(error);
        deps.logger.info({ err: failure, approvalId, user: body.user.id }, 'approval click refused');
        text = `:warning: ${explainRefusal(failure)}`;
      }
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    });
  }
}

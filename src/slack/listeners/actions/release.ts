/** A release's buttons: Abort, Continue (after a SHOULD paused it), Approve (a stage that needs it). */
import type { App, BlockButtonAction } from '@slack/bolt';
import type { Logger } from '../../../logger';
import type { RolloutDeps } from '../../../progressive-rollout';
import { type ReleaseChange, changeRelease } from '../../../progressive-rollout/release-commands';
import { asRollbackError } from '../../../rollback/errors';
import type { SlackUserId } from '../../../rollback/ids';
import { RELEASE_ABORT, RELEASE_APPROVE, RELEASE_CONTINUE } from '../../action-ids';

const CHANGES: ReadonlyArray<readonly [string, ReleaseChange]> = [
  [RELEASE_ABORT, 'abort'],
  [RELEASE_CONTINUE, 'resume'],
  [RELEASE_APPROVE, 'approve'],
];

export function registerReleaseActions(app: App, deps: { rollout: () => RolloutDeps; logger: Logger }): void {
  for (const [actionId, change] of CHANGES) {
    app.action<BlockButtonAction>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      let text: string;
      try {
        text = await changeRelease(deps.rollout(), {
          change,
          actor: body.user.id as SlackUserId,
          releaseId: action.value ?? '',
        });
      } catch (error) {
        const failure = asRollbackError(error);
        deps.logger.info({ err: failure, user: body.user.id, change }, 'release button refused');
        text = `:warning: ${failure.explain()}`;
      }
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    });
  }
}

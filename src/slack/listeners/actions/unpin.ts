/**
 * The Unpin button: the DevOps lead promotes a deployment after an instant
 * rollback so new pushes go live again. Ack at once; the engine checks the
 * authority and writes the timeline; the answer is ephemeral.
 */
import type { App, BlockButtonAction } from '@slack/bolt';
import type { Logger } from '../../../logger';
import { asRollbackError, explainRefusal } from '../../../rollback/errors';
import type { DeploymentId, IncidentId, SlackUserId } from '../../../rollback/ids';
import type { EngineDeps } from '../../../rollback/incident/engine-deps';
import { unpinProduction } from '../../../rollback/incident/unpin';
import { UNPIN } from '../../action-ids';
import { parseUnpinValue } from '../../blocks/unpin-button';

export function registerUnpinAction(app: App, deps: { engine: () => EngineDeps; logger: Logger }): void {
  app.action<BlockButtonAction>(UNPIN, async ({ ack, body, action, respond }) => {
    await ack();
    const value = parseUnpinValue(action.value ?? '');
    let text: string;
    try {
      text = await unpinProduction(deps.engine(), {
        service: value.service,
        actor: body.user.id as SlackUserId,
        incidentId: value.incidentId as IncidentId | undefined,
        deploymentId: value.deploymentId as DeploymentId | undefined,
      });
    } catch (error) {
      const failure = asRollbackError(error);
      deps.logger.info({ err: failure, user: body.user.id }, 'unpin refused');
      text = `:warning: ${explainRefusal(failure)}`;
    }
    await respond({ response_type: 'ephemeral', replace_original: false, text });
  });
}

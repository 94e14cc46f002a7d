/**
 * Detection's buttons: "Monitor" on a detected incident (value: the incident
 * id) and "Open incident" on a MAY post (value: the detection id). Ack at
 * once, let detection check the role and the state, answer ephemerally.
 */
import type { App, BlockButtonAction } from '@slack/bolt';
import type { Detection } from '../../../watch';
import type { Logger } from '../../../logger';
import { asRollbackError, explainRefusal } from '../../../rollback/errors';
import type { SlackUserId } from '../../../rollback/ids';
import { MONITOR, OPEN_INCIDENT } from '../../action-ids';

export function registerDetectionActions(
  app: App,
  deps: { detection: Pick<Detection, 'monitor' | 'openIncident'>; logger: Logger },
): void {
  const answers: [string, (value: string, actor: SlackUserId) => Promise<string>][] = [
    [MONITOR, (incidentId, actor) => deps.detection.monitor({ incidentId, actor })],
    [OPEN_INCIDENT, (detectionId, actor) => deps.detection.openIncident({ detectionId, actor })],
  ];
  for (const [actionId, answer] of answers) {
    app.action<BlockButtonAction>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      let text: string;
      try {
        text = await answer(action.value ?? '', body.user.id as SlackUserId);
      } catch (error) {
        const failure = asRollbackError(error);
        deps.logger.info({ err: failure, user: body.user.id, actionId }, 'detection button refused');
        text = `:warning: ${explainRefusal(failure)}`;
      }
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    });
  }
}

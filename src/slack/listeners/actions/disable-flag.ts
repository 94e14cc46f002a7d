/**
 * "Disable <flag>" on the hotfix question and on a schema approval: the same
 * path as `/rollback flag <service> <flag> off` (authority gate, write,
 * read-back, timeline), for the service of the incident the button is on.
 */
import type { App, BlockButtonAction } from '@slack/bolt';
import type { Logger } from '../../../logger';
import { asRollbackError } from '../../../rollback/errors';
import type { SlackUserId } from '../../../rollback/ids';
import type { EngineDeps } from '../../../rollback/incident/engine-deps';
import { disableFromIncident } from '../../../rollback/incident/flag-switch';
import { DISABLE_FLAG } from '../../action-ids';
import { readDisableValue } from '../../blocks/flag-switched';

export function registerDisableFlagAction(app: App, deps: { engine: () => EngineDeps; logger: Logger }): void {
  app.action<BlockButtonAction>(DISABLE_FLAG, async ({ ack, body, action, respond }) => {
    await ack();
    const actor = body.user.id as SlackUserId;
    let text: string;
    try {
      const value = readDisableValue(action.value ?? '');
      if (!value)
        throw new Error(`the button's value ${JSON.stringify(action.value ?? '').slice(0, 80)} names no flag`);
      text = (await disableFromIncident(deps.engine(), { ...value, actor })).message;
    } catch (error) {
      const failure = asRollbackError(error);
      deps.logger.info({ err: failure, user: actor }, 'disable flag refused');
      text = `:warning: ${failure.explain()}`;
    }
    await respond({ response_type: 'ephemeral', replace_original: false, text });
  });
}

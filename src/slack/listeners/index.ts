import type { App } from '@slack/bolt';
import type { EngineDeps } from '../../rollback/incident/engine-deps';
import type { Db } from '../../store/pool';
import { registerApprovalActions } from './actions/approval';
import { registerFollowUpActions } from './actions/follow-up';
import { registerHotfixActions } from './actions/hotfix';
import { type RollbackCommandDeps, registerRollbackCommand } from './commands/rollback';
import { registerRollbackModal } from './views/rollback-modal';
import { registerAppHome } from './events/app-home';
import type { Detection } from '../../watch';
import { registerDetectionActions } from './actions/detection';
import { registerUnpinAction } from './actions/unpin';
import { registerDisableFlagAction } from './actions/disable-flag';
import { registerAlertsChannel } from './events/alerts-channel';
import type { RolloutDeps } from '../../progressive-rollout';
import { registerRolloutCommand } from './commands/rollout';
import { registerReleaseActions } from './actions/release';

export interface ListenerDeps extends RollbackCommandDeps {
  /** The incident engine, built once the adapters are wired. */
  engine: () => EngineDeps;
  /** The bot's database (App Home remembers its viewers there). */
  db: Db;
  /** Alerts-channel messages go to its intake; Monitor and Open incident to its answers. */
  detection: Pick<Detection, 'intake' | 'monitor' | 'openIncident'>;
  /** Problems shown at the top of App Home (an alerts channel the bot is not in). */
  homeWarnings?: () => readonly string[];
  /** The progressive rollout: /rollout and the release buttons. */
  rollout: () => RolloutDeps;
}

/** Every listener the app has, grouped by Slack surface. */
export function registerListeners(app: App, deps: ListenerDeps): void {
  registerRollbackCommand(app, deps);
  registerApprovalActions(app, deps);
  registerHotfixActions(app, deps);
  registerRollbackModal(app, deps);
  registerFollowUpActions(app, deps);
  registerAppHome(app, deps);
  registerAlertsChannel(app, deps);
  registerDetectionActions(app, deps);
  registerUnpinAction(app, deps);
  registerDisableFlagAction(app, deps);
  registerRolloutCommand(app, deps);
  registerReleaseActions(app, deps);
}

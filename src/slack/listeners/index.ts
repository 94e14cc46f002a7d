import type { App } from '@slack/bolt';
import type { EngineDeps } from '../../rollback/incident/engine-deps';
import { registerApprovalActions } from './actions/approval';
import { registerHotfixActions } from './actions/hotfix';
import { type RollbackCommandDeps, registerRollbackCommand } from './commands/rollback';
import { registerRollbackModal } from './views/rollback-modal';

export interface ListenerDeps extends RollbackCommandDeps {
  /** The incident engine, built once the adapters are wired. */
  engine: () => EngineDeps;
}

/** Every listener the app has, grouped by Slack surface. */
export function registerListeners(app: App, deps: ListenerDeps): void {
  registerRollbackCommand(app, deps);
  registerApprovalActions(app, deps);
  registerHotfixActions(app, deps);
  registerRollbackModal(app, deps);
}

import type { App } from '@slack/bolt';
import { type RollbackCommandDeps, registerRollbackCommand } from './commands/rollback';

export type ListenerDeps = RollbackCommandDeps;

/** Every listener the app has, grouped by Slack surface. */
export function registerListeners(app: App, deps: ListenerDeps): void {
  registerRollbackCommand(app, deps);
}

/**
 * app_home_opened: the user opened the bot's Home tab. Their Home is built
 * from the store and published at once, and they are remembered so a change
 * to an incident refreshes what they see.
 */
import type { App } from '@slack/bolt';
import { createHomePublisher } from '../../../post-rollback/app-home';
import type { Logger } from '../../../logger';
import type { RolloutDeps } from '../../../progressive-rollout';
import type { EngineDeps } from '../../../rollback/incident/engine-deps';
import type { Db } from '../../../store/pool';

const APP_HOME_OPENED = 'app_home_opened';

export function registerAppHome(
  app: App,
  deps: {
    db: Db;
    engine: () => EngineDeps;
    /** The progressive rollout, whose releases Home counts. */
    rollout: () => RolloutDeps;
    logger: Logger;
    homeWarnings?: () => readonly string[];
  },
): void {
  const publisher = createHomePublisher({
    db: deps.db,
    source: () => ({ ...deps.engine(), releases: deps.rollout().releases }),
    client: () => app.client,
    logger: deps.logger,
    warnings: deps.homeWarnings,
  });
  app.event(APP_HOME_OPENED, async ({ event }) => {
    // The Messages tab is off in the manifest; an old client may still report it.
    if (event.tab !== 'home') return;
    try {
      await publisher.opened(event.user);
    } catch (error) {
      deps.logger.warn({ err: error, user: event.user }, 'could not publish App Home');
    }
  });
}

/**
 * The loop that moves incidents forward on each replica: at start, and again
 * on each tick (another replica may have crashed meanwhile), it reconciles
 * steps left running by a crash (and at start announces again what closed
 * lately); then each tick brings incidents in line with their steps, expires
 * lapsed approvals, prepares schema estimates and runs what is runnable.
 * wake() runs a tick at once; ticks never overlap; stop() waits for the tick
 * in flight.
 */
import { expireApprovals, prepareSchemaPlans } from './approvals';
import type { EngineDeps } from './engine-deps';
import { askAgainAfterHotfixWindow } from './hotfix';
import { announceLongOutages } from './outage-drafts-due';
import { announceRecentlyClosed, reconcileRunningSteps, runRunnableSteps, settleIncidents } from './run-steps';

export interface Runner {
  wake(): void;
  /** Resolves when no tick is running and none is queued (for tests and the drill). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function startRunner(deps: Omit<EngineDeps, 'wake'>, options: { intervalMs?: number } = {}): { runner: Runner; deps: EngineDeps } {
  const intervalMs = options.intervalMs ?? 2000;
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  let idleWaiters: (() => void)[] = [];
  const full: EngineDeps = { ...deps, wake: () => runner.wake() };

  const tick = async (): Promise<void> => {
    try {
      await reconcileRunningSteps(full);
      await expireApprovals(full);
      // One read of the open incidents serves the three sweeps below.
      const open = await full.store.listIncidents({ openOnly: true, limit: 50 });
      await settleIncidents(full, open);
      await prepareSchemaPlans(full, open);
      await announceLongOutages(full, open);
      await askAgainAfterHotfixWindow(full, open);
      while ((await runRunnableSteps(full)) > 0 && !stopped) {
        // keep going while steps become runnable one after another
      }
    } catch (error) {
      deps.logger.error({ err: error }, 'incident runner tick failed; it will try again');
    }
  };

  const schedule = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = tick().finally(() => {
      running = undefined;
      if (again && !stopped) {
        again = false;
        schedule();
        return;
      }
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    });
  };

  const start = reconcileRunningSteps(full)
    .then(() => announceRecentlyClosed(full))
    .catch((error: unknown) => deps.logger.error({ err: error }, 'reconciliation at start failed'))
    .then(() => schedule());
  const timer = setInterval(schedule, intervalMs);
  timer.unref();

  const runner: Runner = {
    wake: () => void start.then(schedule),
    idle: async () => {
      await start;
      if (!running) return;
      await new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await start;
      await running;
    },
  };
  return { runner, deps: full };
}

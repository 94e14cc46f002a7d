/**
 * The loop that moves incidents forward on each replica: at start, and again
 * on each tick (another replica may have crashed meanwhile), it reconciles
 * steps left running by a crash (and at start announces again what closed
 * lately); then each tick brings incidents in line with their steps, expires
 * lapsed approvals, prepares schema estimates and starts what is runnable.
 * Steps run beside the ticks, each service's one at a time (its lock) and
 * different services' at once: a step waiting on the outside world holds up
 * no other service. wake() runs a tick at once; ticks never overlap. stop()
 * waits for the tick in flight, gives running steps a short grace, then parks
 * the ones still waiting (their leases end, so the next worker reconciles them).
 */
import { expireApprovals, prepareSchemaPlans } from './approvals';
import type { IncidentEngineDeps } from './engine-deps';
import { askAgainAfterHotfixWindow } from './hotfix';
import { announceLongOutages } from './outage-drafts-due';
import { reconcileRunningSteps } from './reconcile-steps';
import { announceRecentlyClosed, runStep, settleIncidents } from './run-steps';
import type { HeldLease } from './step-lease';

export interface Runner {
  wake(): void;
  /** Resolves when no tick is running or queued and no step runs (for tests and the drill). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

interface RunnerOptions {
  intervalMs?: number;
  /** Steps this replica runs at once, across services (default 8). */
  maxSteps?: number;
  /** On stop, how long running steps may go on before they are parked (default 1 s). */
  parkAfterMs?: number;
}

interface InFlight {
  done: Promise<void>;
  lease?: HeldLease;
}

/** How often the runner looks for runnable steps when nothing wakes it (a new incident or a step's end does). */
export const RUNNER_INTERVAL_MS = 2000;

/** Generic over the deps, so the wiring gets back its whole EngineDeps and the engine tests their fakes. */
export function startRunner<D extends Omit<IncidentEngineDeps, 'wake'>>(
  deps: D,
  options: RunnerOptions = {},
): { runner: Runner; deps: D & Pick<IncidentEngineDeps, 'wake'> } {
  const intervalMs = options.intervalMs ?? RUNNER_INTERVAL_MS;
  const maxSteps = options.maxSteps ?? 8;
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  let idleWaiters: (() => void)[] = [];
  const inFlight = new Map<string, InFlight>();
  const full: D & Pick<IncidentEngineDeps, 'wake'> = { ...deps, wake: () => runner.wake() };

  /** Claims what may run now and starts each step without waiting for it; its end wakes the runner for the next. */
  const launch = async (): Promise<void> => {
    if (stopped || inFlight.size >= maxSteps) return;
    for (const step of await full.store.claimRunnable(full.workerId, maxSteps - inFlight.size)) {
      if (inFlight.has(step.id) || stopped) continue;
      const entry: InFlight = { done: Promise.resolve() };
      entry.done = runStep(full, step, (lease) => {
        entry.lease = lease;
      })
        .then(() => undefined)
        .catch((error: unknown) =>
          deps.logger.error({ err: error, stepId: step.id }, 'step run failed; the runner tries again'),
        )
        .finally(() => {
          inFlight.delete(step.id);
          schedule();
        });
      inFlight.set(step.id, entry);
    }
  };

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
      await launch();
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
      if (inFlight.size > 0) return;
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    });
  };

  /** Steps still running after the grace stop acting, and their leases end for the next worker. */
  const park = async (): Promise<void> => {
    const all = Promise.all([...inFlight.values()].map((entry) => entry.done));
    const graceOver = new Promise<'grace_over'>((resolve) =>
      setTimeout(() => resolve('grace_over'), options.parkAfterMs ?? 1000).unref(),
    );
    if ((await Promise.race([all, graceOver])) !== 'grace_over') return;
    for (const [stepId, entry] of inFlight) {
      if (!entry.lease) continue;
      await entry.lease
        .park()
        .catch((error: unknown) =>
          deps.logger.warn({ err: error, stepId }, 'could not park the step; its lease expires on its own'),
        );
      deps.logger.info({ stepId }, 'step parked on stop');
    }
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
      if (!running && inFlight.size === 0) return;
      await new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await start;
      await running;
      await park();
    },
  };
  return { runner, deps: full };
}

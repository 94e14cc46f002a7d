/**
 * When ticks happen. Production uses node-cron; the scheduler only needs
 * "call me at each slot", so the drill or a test can drive ticks itself.
 */
import { createTask } from 'node-cron';

interface TickerJob {
  name: string;
  cron: string;
  timezone?: string;
}

/** Called at each slot with the slot and, when known, the one after it. */
type OnTick = (slot: Date, nextSlot: Date | undefined) => void;

export interface Ticker {
  schedule(job: TickerJob, onTick: OnTick): { stop(): void };
}

/**
 * node-cron v4 ticks. Overlap is not left to node-cron: the scheduler has to
 * see every slot to skip it across replicas too, so the callback returns at once.
 */
export function nodeCronTicker(defaults: { timezone?: string } = {}): Ticker {
  return {
    schedule(job, onTick) {
      const task = createTask(
        job.cron,
        (context) => {
          onTick(context.date, task.getNextRun() ?? undefined);
        },
        { name: job.name, timezone: job.timezone ?? defaults.timezone, noOverlap: false },
      );
      void task.start();
      return {
        stop: () => {
          void task.destroy();
        },
      };
    },
  };
}

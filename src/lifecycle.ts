/**
 * What the process started, in order, so it can be stopped in reverse order:
 * at a normal stop, when start-up fails half-way, and when a stop signal
 * arrives during start-up (a part being started is stopped too once its stop
 * is registered, so nothing the bot starts outlives it).
 */
import type { Logger } from './logger';

export class StartAborted extends Error {
  constructor(readonly signal: string) {
    super(`start-up interrupted by ${signal}`);
    this.name = 'StartAborted';
  }
}

export interface Lifecycle {
  /** Registers a part's stop; parts stop in the reverse of the order they were added. */
  add(name: string, stop: () => Promise<void>): void;
  /** Throws StartAborted once a stop was requested (call between start-up stages). */
  checkpoint(): void;
  /**
   * Waits for work that can be abandoned (its parts are registered), or throws StartAborted when a stop is requested
   * first.
   */
  until<T>(work: Promise<T>): Promise<T>;
  /** Asks for a stop: start-up ends at its next checkpoint. */
  requestStop(signal: string): void;
  readonly stopRequested: string | undefined;
  /** Stops every registered part once, newest first; a failing stop is logged and the rest still stop. */
  stopAll(): Promise<void>;
}

export function createLifecycle(logger: Logger): Lifecycle {
  const parts: { name: string; stop: () => Promise<void> }[] = [];
  let requested: string | undefined;
  const waiters = new Set<(signal: string) => void>();
  let stopping: Promise<void> | undefined;
  return {
    add: (name, stop) => void parts.push({ name, stop }),
    checkpoint: () => {
      if (requested) throw new StartAborted(requested);
    },
    until: <T>(work: Promise<T>) => {
      if (requested) return Promise.reject(new StartAborted(requested));
      return new Promise<T>((resolve, reject) => {
        const abort = (signal: string): void => reject(new StartAborted(signal));
        waiters.add(abort);
        work.then(resolve, reject).finally(() => waiters.delete(abort));
      });
    },
    requestStop: (signal) => {
      requested ??= signal;
      for (const abort of waiters) abort(signal);
    },
    get stopRequested() {
      return requested;
    },
    stopAll: () => {
      stopping ??= (async () => {
        for (const part of parts.splice(0).reverse()) {
          try {
            await part.stop();
          } catch (error) {
            logger.warn({ err: error, part: part.name }, `${part.name} did not stop cleanly`);
          }
        }
      })();
      return stopping;
    },
  };
}

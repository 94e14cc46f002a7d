/**
 * Sends what the outbox holds. Each pass leases one channel (its gate row),
 * sends that channel's oldest sendable message, records the outcome and gives
 * the channel back with its next allowed time. The lease lives in PostgreSQL,
 * so the pace (one call per channel per minChannelGapMs) and "each version is
 * sent once" hold across every worker of every replica. No database lock is
 * held while Slack answers: storing a message never waits for Slack.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../logger';
import { type Clock, systemClock } from '../../rollback/clock';
import type { Db } from '../../store/pool';
import { type Delivery, type OutboxSlackClient, deliver } from './deliver';
import {
  type OutboxRow,
  claimGate,
  countPending,
  markPostStarted,
  recordFailed,
  recordRetry,
  recordSent,
  releaseGate,
  selectNextDue,
  selectNextMessage,
} from './outbox-queries';
import { BLOCKS_REFUSAL, backoffMs } from './slack-failures';

/** Default pace for a refused channel: slow enough not to bother Slack, soon enough after /invite. */
const REFUSED_RETRY_MS = 5 * 60_000;
/** Default wait before looking for a post whose answer was lost. */
const UNKNOWN_SETTLE_MS = 30_000;

export interface OutboxWorkerOptions {
  db: Db;
  client: OutboxSlackClient;
  logger: Logger;
  clock?: Clock;
  /** How the worker waits when idle; resolves early on wake() or stop(). */
  sleep?: (ms: number) => Promise<void>;
  /** Longest idle wait, which is how soon a message stored by another replica is seen. */
  pollMs?: number;
  /** Slack's guidance: at most one message per second per channel. */
  minChannelGapMs?: number;
  /** Back-off for 5xx and network failures: first wait, and the cap. */
  backoff?: { minMs: number; maxMs: number };
  /**
   * A call Slack has not answered by then counts as "outcome unknown": the post
   * is looked for before it is sent again. Keep it above the client's own timeout.
   */
  callTimeoutMs?: number;
  /**
   * After a post whose outcome is unknown, how long to wait before looking for
   * it: a request Slack is still working on must have landed by then.
   */
  unknownSettleMs?: number;
  /** How often a message a channel refuses (bot not in it, archived...) is tried again. */
  refusedRetryMs?: number;
  /** Told once when a channel starts refusing a message (e.g. to tell people by direct message). */
  onRefused?: (key: string, refusal: string) => void;
  /** Channels served at the same time by this worker. */
  concurrency?: number;
  /** Names this worker in gate leases (logs and debugging). */
  workerId?: string;
}

export interface OutboxWorker {
  /** Look for work now (e.g. right after a message was stored in this process). */
  wake(): void;
  /** Stops taking work, lets calls in flight finish and be recorded. */
  stop(): Promise<void>;
  /** Resolves true once nothing is left to send, false when timeoutMs passes first. */
  drain(timeoutMs: number): Promise<boolean>;
}

/** A one-shot broadcast: everyone waiting now is released by the next fire(). */
class Signal {
  private waiters: Array<() => void> = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  fire(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const resolve of waiting) resolve();
  }
}

const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    // Unref'd: an idle outbox must not keep the process alive after stop().
    setTimeout(resolve, ms).unref();
  });

const MIN_IDLE_MS = 5;

export function startOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { db, client } = options;
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const pollMs = options.pollMs ?? 1000;
  const gapMs = options.minChannelGapMs ?? 1000;
  const backoff = options.backoff ?? { minMs: 1000, maxMs: 60_000 };
  const callTimeoutMs = options.callTimeoutMs ?? 10_000;
  const refusedRetryMs = options.refusedRetryMs ?? REFUSED_RETRY_MS;
  const unknownSettleMs = options.unknownSettleMs ?? UNKNOWN_SETTLE_MS;
  const workerId = options.workerId ?? `outbox-${randomUUID().slice(0, 8)}`;
  const logger = options.logger.child({ component: 'slack-outbox', workerId });
  const wakeSignal = new Signal();
  const activity = new Signal();
  let stopping = false;
  let leases = 0;
  // Counts wake-ups, so one that lands while a pass is running is not lost to the idle wait after it.
  let wakes = 0;
  const wake = (): void => {
    wakes += 1;
    wakeSignal.fire();
  };

  const at = (base: Date, ms: number): Date => new Date(base.getTime() + ms);

  const retryWait = (
    row: OutboxRow,
    delivery: Extract<Delivery, { ok: false; retry: true }>,
    postedUnknown: boolean,
  ): number => {
    if (delivery.refusal === BLOCKS_REFUSAL) return gapMs;
    if (delivery.refusal) return refusedRetryMs;
    const wait = Math.max(delivery.retryAfterMs ?? backoffMs(row.attempts, backoff.minMs, backoff.maxMs), gapMs);
    return postedUnknown ? Math.max(wait, unknownSettleMs) : wait;
  };

  async function record(row: OutboxRow, holder: string, delivery: Delivery, posted: boolean): Promise<void> {
    const end = clock.now();
    await db.transaction(async (tx) => {
      if (delivery.ok) {
        // A found post is recorded with its ts only: the current version then goes out as an update of it.
        await tx.query(
          recordSent(row.key, delivery.method === 'found' ? 0 : row.version, delivery.ts, delivery.channel),
        );
        await tx.query(releaseGate(row.gate, holder, at(end, gapMs), end));
      } else if (delivery.retry) {
        // Failing before the post (the look-up) leaves an earlier unknown outcome unknown.
        const postedUnknown = posted ? delivery.posted === 'unknown' : row.post_started_at !== null;
        const wait = retryWait(row, delivery, postedUnknown);
        await tx.query(
          recordRetry(row.key, at(end, wait), delivery.error.explain(), delivery.channel, {
            refusal: delivery.refusal,
            postedUnknown,
          }),
        );
        await tx.query(releaseGate(row.gate, holder, at(end, wait), null));
      } else {
        await tx.query(recordFailed(row.key, row.version, delivery.error.explain(), delivery.channel));
        await tx.query(releaseGate(row.gate, holder, at(end, gapMs), end));
      }
    });
    const facts = { key: row.key, channel: delivery.channel, version: row.version };
    if (!delivery.ok && delivery.retry && delivery.refusal && delivery.refusal !== row.refusal)
      options.onRefused?.(row.key, delivery.refusal);
    if (delivery.ok && delivery.method === 'found')
      logger.info(
        { ...facts, ts: delivery.ts },
        'found an earlier post whose answer was lost; updating it instead of posting again',
      );
    else if (delivery.ok) logger.debug({ ...facts, method: delivery.method, ts: delivery.ts }, 'sent Slack message');
    else if (!delivery.retry)
      logger.error({ ...facts, err: delivery.error, fix: delivery.error.fix }, delivery.error.message);
    else if (delivery.error.code === 'forbidden' || delivery.refusal)
      logger.error({ ...facts, attempts: row.attempts + 1, fix: delivery.error.fix }, delivery.error.message);
    else logger.warn({ ...facts, attempts: row.attempts + 1 }, delivery.error.message);
  }

  /** One pass: true when a channel was leased (there may be more to do at once). */
  async function pass(): Promise<boolean> {
    leases += 1;
    const holder = `${workerId}:${leases}`;
    const now = clock.now();
    // The lease outlives the longest call, so only a crashed holder's channel is ever taken over.
    const [gate] = await db.query<{ gate: string }>(claimGate(now, at(now, callTimeoutMs + gapMs + 1000), holder));
    if (!gate) return false;
    const [row] = await db.query<OutboxRow>(selectNextMessage(gate.gate, now));
    if (!row) {
      await db.query(releaseGate(gate.gate, holder, now, null));
      return true;
    }
    let posted = false;
    const delivery = await deliver(client, row, callTimeoutMs, {
      beforePost: async (sending) => {
        posted = true;
        await db.query(markPostStarted(sending.key, clock.now()));
      },
    });
    await record(row, holder, delivery, posted);
    return true;
  }

  async function idleMs(): Promise<number> {
    // pg reads the '-infinity' defaults (never tried, never paced) as the number -Infinity, not a Date.
    const [next] = await db.query<{ due: Date | number | null }>(selectNextDue());
    if (next?.due === null || next?.due === undefined) return pollMs;
    const wait = (next.due instanceof Date ? next.due.getTime() : next.due) - clock.now().getTime();
    return Math.min(pollMs, Math.max(MIN_IDLE_MS, Number.isFinite(wait) ? wait : MIN_IDLE_MS));
  }

  async function idle(ms: number): Promise<void> {
    if (stopping) return;
    await Promise.race([sleep(ms), wakeSignal.wait()]);
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      const wakesBefore = wakes;
      let wait = 0;
      try {
        if (!(await pass())) wait = await idleMs();
      } catch (error) {
        // The database is the likely cause; the outbox waits for it like everything else.
        logger.warn({ err: error }, 'Slack outbox pass failed; retrying shortly');
        wait = pollMs;
      }
      activity.fire();
      if (wait > 0 && wakes === wakesBefore) await idle(wait);
    }
  }

  const loops = Array.from({ length: Math.max(1, options.concurrency ?? 4) }, () => loop());

  return {
    wake,
    stop: async () => {
      stopping = true;
      wake();
      await Promise.all(loops);
    },
    drain: async (timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      wake();
      for (;;) {
        const [row] = await db.query<{ pending: number }>(countPending());
        if ((row?.pending ?? 0) === 0) return true;
        const left = deadline - Date.now();
        if (left <= 0) return false;
        await Promise.race([activity.wait(), realSleep(Math.min(left, 100))]);
      }
    },
  };
}

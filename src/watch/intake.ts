/**
 * The one way signals come in, whatever the inlet: a message in an alerts
 * channel, an Alertmanager or Grafana webhook, or signals the probes made.
 * Each signal passes the storm window (this replica's, in memory) and is
 * folded into a pending alert state; pending states are written in one
 * statement every flushIntervalMs or every maxPending alerts, so a storm of
 * 10,000 notifications of one alert costs a handful of writes. A webhook's
 * sender waits for the write, so its signals are written as soon as the write
 * in flight (if any) ends: group commit, batching only under load. Services
 * whose window asks for a post get their detection message refreshed after
 * the write.
 */
import type { ServiceConfig } from '../config/service-schema';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { Clock } from '../rollback/clock';
import { type AlertState, alertKey, foldSignal, stateFromSignal } from '../rollback/detection/alert-state';
import type { DetectionStore } from '../rollback/detection/detection-record';
import type { ServiceName } from '../rollback/ids';
import {
  type AlertParse,
  type KnownService,
  type SlackMessageLike,
  SignalWindow,
  parseAlertMessage,
  parseAlertmanagerWebhook,
  parseGrafanaWebhook,
} from '../rollback/signals';

const DEFAULT_FLUSH_INTERVAL_MS = 200;
const DEFAULT_MAX_PENDING = 500;

export type WebhookTool = 'alertmanager' | 'grafana';

export interface IngestResult {
  source: AlertParse['source'];
  signals: number;
  unmatched: number;
  /** Resolves once these signals are written (rejects if the write failed). */
  stored: Promise<void>;
}

export interface AlertIntake {
  /** Undefined when the message is not an alert the parsers recognise (ignore it quietly). */
  fromSlackMessage(message: SlackMessageLike): IngestResult | undefined;
  /** Throws RollbackError('bad_input') naming the malformed field; nothing is taken in then. */
  fromWebhook(tool: WebhookTool, body: unknown): IngestResult;
  /** Signals already made (the probes' own, or a parse done elsewhere). */
  fromParse(parse: AlertParse): IngestResult;
  /** Writes everything pending now; resolves when written (and messages refreshed). */
  flush(): Promise<void>;
  /** Flushes and stops the timer. */
  stop(): Promise<void>;
}

interface IntakeDeps {
  store: DetectionStore;
  services: readonly ServiceConfig[];
  clock: Clock;
  logger: Logger;
  metrics?: Pick<Metrics, 'alertSignals' | 'alertsUnmatched'>;
  /** Called after a write with the services whose storm window asked for a post. */
  onPost?: (services: ServiceName[]) => Promise<void>;
  flushIntervalMs?: number;
  maxPending?: number;
  stormWindowMs?: number;
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Callers that do not wait for the write (Slack messages) must not leave an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export function createAlertIntake(deps: IntakeDeps): AlertIntake {
  const known: KnownService[] = deps.services.map((s) => ({
    name: s.name,
    ...(s.displayName ? { displayName: s.displayName } : {}),
  }));
  const window = new SignalWindow(deps.stormWindowMs);
  const flushIntervalMs = deps.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
  const maxPending = deps.maxPending ?? DEFAULT_MAX_PENDING;
  let pending = new Map<string, AlertState>();
  let toPost = new Set<ServiceName>();
  let batch: Deferred | undefined;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let eager = false;
  let stopped = false;

  const write = async (states: AlertState[], done: Deferred | undefined, services: ServiceName[]): Promise<void> => {
    try {
      await deps.store.saveAlerts(states);
      done?.resolve();
    } catch (error) {
      deps.logger.error(
        { err: error, alerts: states.length },
        'alert states not written; these notifications are lost (webhook senders were told to retry)',
      );
      done?.reject(error);
      return;
    }
    if (services.length === 0 || !deps.onPost) return;
    try {
      await deps.onPost(services);
    } catch (error) {
      deps.logger.warn(
        { err: error, services },
        'detection messages not refreshed; the next evaluation refreshes them',
      );
    }
  };

  const flushNow = (): Promise<void> => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (pending.size === 0 && toPost.size === 0) return writing;
    const states = [...pending.values()];
    const services = [...toPost];
    const done = batch;
    pending = new Map();
    toPost = new Set();
    batch = undefined;
    // One write at a time, in order, so an older batch never lands after a newer one.
    writing = writing.then(() => write(states, done, services));
    return writing;
  };

  /** Writes after the write in flight, gathering everything that arrived meanwhile. */
  const flushSoon = (): void => {
    if (eager) return;
    eager = true;
    void writing.then(() =>
      setImmediate(() => {
        eager = false;
        void flushNow();
      }),
    );
  };

  const take = (parse: AlertParse, waited: boolean): IngestResult => {
    if (stopped) throw new Error('the alert intake is stopped');
    for (const unmatched of parse.unmatched) {
      deps.metrics?.alertsUnmatched.inc({ source: unmatched.source });
      deps.logger.debug(
        { source: unmatched.source, serviceHint: unmatched.serviceHint, summary: unmatched.summary },
        'alert names no known service: ignored',
      );
    }
    for (const signal of parse.signals) {
      deps.metrics?.alertSignals.inc({ source: signal.source, status: signal.firing ? 'firing' : 'resolved' });
      const key = alertKey(signal.service, signal.fingerprint);
      const current = pending.get(key);
      pending.set(key, current ? foldSignal(current, signal) : stateFromSignal(signal));
      if (window.observe(signal).post) toPost.add(signal.service);
    }
    const current = (batch ??= deferred());
    if (pending.size === 0 && toPost.size === 0) {
      // Nothing to write (only unmatched alerts): done now.
      batch = undefined;
      current.resolve();
    } else if (pending.size >= maxPending) {
      void flushNow();
    } else if (waited) {
      flushSoon();
    } else if (!timer) {
      timer = setTimeout(() => void flushNow(), flushIntervalMs);
      timer.unref();
    }
    const stored = current.promise;
    return { source: parse.source, signals: parse.signals.length, unmatched: parse.unmatched.length, stored };
  };

  return {
    fromSlackMessage(message) {
      const parsed = parseAlertMessage(message, known, deps.clock.now());
      return parsed ? take(parsed, false) : undefined;
    },
    fromWebhook(tool, body) {
      const parse = tool === 'alertmanager' ? parseAlertmanagerWebhook : parseGrafanaWebhook;
      return take(parse(body, known, deps.clock.now()), true);
    },
    fromParse: (parse) => take(parse, false),
    flush: flushNow,
    async stop() {
      await flushNow();
      stopped = true;
    },
  };
}

/**
 * The alert-ingest benchmark's in-process part: the mixed alert messages straight
 * through the intake (parse + storm window + batched write to PostgreSQL).
 */
import { parseServicesFile } from '../src/config/load-config';
import { silentLogger } from '../src/logger';
import { createMetrics } from '../src/metrics';
import { systemClock } from '../src/rollback/clock';
import type { SlackMessageLike } from '../src/rollback/signals';
import { createDetectionStore } from '../src/watch/detection-store';
import { createAlertIntake } from '../src/watch/intake';
import { migrate } from '../src/store/migrate';
import { createDb } from '../src/store/pool';
import { upsertService } from '../src/store/queries/services';
import { exampleServiceRaw, servicesYaml } from '../test/support/services';
import { mixedMessage } from './alert-ingest-support';
import { benchDatabase } from './support';
import type { BenchResult } from './types';

const PIPELINE_MESSAGES = 50_000;

/** Messages straight through the intake on a fresh database: time, writes and stored count. */
async function throughIntake(
  label: string,
  messages: readonly SlackMessageLike[],
): Promise<{ ms: number; writes: number; stored: number }> {
  const database = await benchDatabase(label);
  const db = createDb(database.url, silentLogger);
  try {
    await migrate(db, silentLogger);
    const services = parseServicesFile(servicesYaml([exampleServiceRaw()]), 'bench');
    for (const service of services) await db.query(upsertService(service));
    const store = createDetectionStore(db);
    let writes = 0;
    const counted = {
      ...store,
      saveAlerts: (states: Parameters<typeof store.saveAlerts>[0]) => {
        writes += 1;
        return store.saveAlerts(states);
      },
    };
    const intake = createAlertIntake({
      store: counted,
      services,
      clock: systemClock,
      logger: silentLogger,
      metrics: createMetrics(),
    });
    const started = performance.now();
    for (const [i, message] of messages.entries()) {
      if (!intake.fromSlackMessage(message)) throw new Error('a bench message was not recognised');
      // Messages arrive from the network between turns of the event loop: let the flush timer and writes run.
      if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    await intake.stop();
    const ms = performance.now() - started;
    const [row] = await db.query<{ n: number }>({ text: 'SELECT sum(repeats)::int AS n FROM alert_states' });
    return { ms, writes, stored: row?.n ?? 0 };
  } finally {
    await db.close();
    await database.drop();
  }
}

/** Issue 7's ingest rate through the intake in process. */
export async function intakeThroughput(): Promise<BenchResult> {
  const base0 = Date.now();
  const pipeline = await throughIntake(
    'ingest',
    Array.from({ length: PIPELINE_MESSAGES }, (_, i) => mixedMessage(i, new Date(base0 + i))),
  );
  const perSecond = Math.round((PIPELINE_MESSAGES / pipeline.ms) * 1000);
  return {
    name: 'alert messages through the intake (parse + storm window + write)',
    value: perSecond,
    unit: 'messages/s',
    target: '>= 2000 messages/s',
    pass: perSecond >= 2000 && pipeline.stored === PIPELINE_MESSAGES,
    comparison:
      `${PIPELINE_MESSAGES} messages in ${Math.round(pipeline.ms)} ms and ` +
      `${pipeline.writes} writes; ${pipeline.stored} counted in PostgreSQL`,
    method:
      `${PIPELINE_MESSAGES} Slack messages (Alertmanager, Grafana, Datadog, Sentry, ` +
      `plain text; 40 distinct alerts) parsed, windowed and written in batches (200 ms ` +
      `/ 500 alerts)`,
  };
}

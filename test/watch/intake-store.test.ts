/**
 * The intake against real PostgreSQL, without Slack: notifications are folded
 * and written in batches (one statement per flush), and the stored state
 * follows the alert's life: repeats count, the newest notification decides,
 * a resolve ends the spell, a refire or a 4-hour silence starts a new one.
 */
import { parseServicesFile } from '../../src/config/load-config';
import { createDetectionStore } from '../../src/watch/detection-store';
import { createAlertIntake } from '../../src/watch/intake';
import { silentLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import { ManualClock } from '../../src/rollback/clock';
import type { AlertState } from '../../src/rollback/detection/alert-state';
import type { DetectionStore } from '../../src/rollback/detection/detection-record';
import { migrate } from '../../src/store/migrate';
import { type Db, createDb } from '../../src/store/pool';
import { alertmanagerWebhook } from '../unit/signals/builders';
import { testDatabase } from '../support/database';
import { exampleServiceRaw, servicesYaml } from '../support/services';

const SERVICE = 'dr-amal-clinical-os';
const services = parseServicesFile(servicesYaml([exampleServiceRaw()]), 'test');

describe('alert intake and alert states', () => {
  const database = testDatabase('det_intake');
  let db: Db;
  let store: DetectionStore;
  const clock = new ManualClock('2026-01-20T15:00:00Z');
  let writes = 0;

  beforeAll(async () => {
    await database.create();
    db = createDb(database.url, silentLogger);
    await migrate(db, silentLogger);
    const real = createDetectionStore(db);
    store = {
      ...real,
      saveAlerts: async (states: readonly AlertState[]) => {
        writes += 1;
        await real.saveAlerts(states);
      },
    };
  });
  afterAll(async () => {
    await db.close();
    await database.drop();
  });

  const webhook = (fingerprint: string, status: 'firing' | 'resolved', extra: Record<string, string> = {}) =>
    alertmanagerWebhook([
      {
        status,
        labels: { alertname: 'AuthDown', service: SERVICE, severity: 'critical', ...extra },
        fingerprint,
        startsAt: '2026-01-20T14:58:00Z',
      },
    ]);
  const row = async (fingerprint: string) =>
    (await store.episodeAlerts(SERVICE, new Date(0), 100)).find((a) => a.fingerprint === `alertmanager:${fingerprint}`);

  it('writes a batch of notifications with one statement, and a full buffer at once', async () => {
    const intake = createAlertIntake({
      store,
      services,
      clock,
      logger: silentLogger,
      metrics: createMetrics(),
      flushIntervalMs: 60_000,
      maxPending: 3,
    });
    writes = 0;
    for (let i = 0; i < 500; i += 1) intake.fromWebhook('alertmanager', webhook('storm', 'firing'));
    await intake.flush();
    expect(writes).toBe(1);
    expect(await row('storm')).toMatchObject({ firing: true, repeats: 500, kind: 'auth_broken' });

    writes = 0;
    const results = ['a', 'b', 'c'].map((fp) => intake.fromWebhook('alertmanager', webhook(fp, 'firing')));
    await Promise.all(results.map((r) => r.stored));
    expect(writes).toBe(1);
    await intake.stop();
  });

  it('flushes on its timer without being asked', async () => {
    const intake = createAlertIntake({ store, services, clock, logger: silentLogger, flushIntervalMs: 20 });
    const taken = intake.fromWebhook('alertmanager', webhook('timer', 'firing'));
    await taken.stored;
    expect(await row('timer')).toMatchObject({ firing: true, repeats: 1 });
    await intake.stop();
  });

  it('follows an alert through resolve, refire and a 4-hour silence', async () => {
    const intake = createAlertIntake({ store, services, clock, logger: silentLogger, flushIntervalMs: 60_000 });
    const send = async (status: 'firing' | 'resolved'): Promise<void> => {
      intake.fromWebhook('alertmanager', webhook('life', status));
      await intake.flush();
    };
    await send('firing');
    clock.advance(60_000);
    await send('firing');
    expect(await row('life')).toMatchObject({ firing: true, repeats: 2 });
    expect((await store.firingAlerts(SERVICE, clock.now())).some((a) => a.fingerprint === 'alertmanager:life')).toBe(
      true,
    );

    clock.advance(60_000);
    await send('resolved');
    const resolved = await row('life');
    expect(resolved).toMatchObject({ firing: false, repeats: 2 });
    expect(resolved?.resolvedAt?.getTime()).toBe(clock.now().getTime());

    clock.advance(60_000);
    await send('firing');
    const refired = await row('life');
    expect(refired).toMatchObject({ firing: true, repeats: 1 });
    expect(refired?.firstSeenAt.getTime()).toBe(clock.now().getTime());
    expect(refired?.resolvedAt).toBeUndefined();

    // Four hours without a repeat: no longer firing for the rules, and the next notification starts afresh.
    clock.advance(4 * 3_600_000 + 1000);
    expect((await store.firingAlerts(SERVICE, clock.now())).some((a) => a.fingerprint === 'alertmanager:life')).toBe(
      false,
    );
    await send('firing');
    expect(await row('life')).toMatchObject({ firing: true, repeats: 1 });
    await intake.stop();
  });

  it('lets a late, older notification add to the count without undoing a newer resolve', async () => {
    const intake = createAlertIntake({ store, services, clock, logger: silentLogger, flushIntervalMs: 60_000 });
    const at = clock.now();
    intake.fromParse({
      source: 'alertmanager',
      unmatched: [],
      signals: [
        {
          service: SERVICE as never,
          kind: 'five_xx_rate',
          value: 0.4,
          firing: true,
          fingerprint: 'alertmanager:late',
          source: 'alertmanager',
          at,
          summary: 'High5xx',
        },
      ],
    });
    await intake.flush();
    intake.fromParse({
      source: 'alertmanager',
      unmatched: [],
      signals: [
        {
          service: SERVICE as never,
          kind: 'five_xx_rate',
          firing: false,
          fingerprint: 'alertmanager:late',
          source: 'alertmanager',
          at: new Date(at.getTime() + 10_000),
          summary: 'High5xx',
        },
      ],
    });
    await intake.flush();
    intake.fromParse({
      source: 'alertmanager',
      unmatched: [],
      signals: [
        {
          service: SERVICE as never,
          kind: 'five_xx_rate',
          value: 0.5,
          firing: true,
          fingerprint: 'alertmanager:late',
          source: 'alertmanager',
          at: new Date(at.getTime() + 5000),
          summary: 'High5xx',
        },
      ],
    });
    await intake.flush();
    expect(await row('late')).toMatchObject({ firing: false, repeats: 2, value: 0.4 });
    await intake.stop();
  });

  it('drops a resolve for an alert it never saw firing', async () => {
    const intake = createAlertIntake({ store, services, clock, logger: silentLogger, flushIntervalMs: 60_000 });
    intake.fromWebhook('alertmanager', webhook('never-fired', 'resolved'));
    await intake.flush();
    expect(await row('never-fired')).toBeUndefined();
    await intake.stop();
  });

  it('tells a webhook sender the write failed, so it retries', async () => {
    const failing: DetectionStore = { ...store, saveAlerts: () => Promise.reject(new Error('database down')) };
    const intake = createAlertIntake({ store: failing, services, clock, logger: silentLogger, flushIntervalMs: 5 });
    await expect(intake.fromWebhook('alertmanager', webhook('lost', 'firing')).stored).rejects.toThrow('database down');
    await intake.stop();
  });
});

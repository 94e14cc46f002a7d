/**
 * The runbook's "Rollback Metrics" on a known timeline, through the real
 * store (PostgreSQL) and the real bot: the arithmetic of each figure against
 * its target, `/rollback stats [service]` over HTTP, the Prometheus gauges on
 * /metrics, and data loss going to 0 at once when restore-archive records the
 * restore, or when /rollback stats reads the app database's manifest (no scheduled job).
 */
import { Client } from 'pg';
import { silentLogger } from '../../src/logger';
import { figure } from '../../src/rollback/metrics/rollback-metrics';
import { measureRollbacks } from '../../src/rollback/metrics/measure';
import type { IncidentStore, NewStep } from '../../src/rollback/ports/incident-store';
import { ensureArchiveSchema } from '../../src/schema/rollback/archive';
import { recordRestored } from '../../src/post-rollback/archive-restores';
import { createIncidentStore } from '../../src/store/incident-store';
import { type Db, createDb } from '../../src/store/pool';
import { type TestBot, startTestBot } from '../support/bot';
import { testDatabase } from '../support/database';
import { TestClock } from '../support/incident-world';
import { exampleServiceRaw } from '../support/services';

const SERVICE = 'dr-amal-clinical-os';
const OTHER = 'other-app';
const NOW = '2026-02-01T00:00:00Z';
const ARCHIVE = 'users__phone_1a2b3c4d';
const t = (iso: string): Date => new Date(iso);

interface Seed {
  id: string;
  service?: string;
  opened: string;
  impact?: string;
  detected?: string;
  decided?: string;
  restored?: string;
  state: 'resolved' | 'cancelled';
  steps?: NewStep[];
  output?: Record<string, unknown>;
}

/** Known incidents: detection A 3, B 10, C 2 min; execution A 4, B 9; downtime A 6, B 15; B archived 42 values. */
const SEEDS: Seed[] = [
  { id: 'INC-A', opened: '2026-01-10T10:03:00Z', impact: '2026-01-10T10:02:00Z', detected: '2026-01-10T10:03:00Z', decided: '2026-01-10T10:04:00Z', restored: '2026-01-10T10:08:00Z', state: 'resolved' },
  {
    id: 'INC-B',
    opened: '2026-01-20T12:10:00Z',
    impact: '2026-01-20T12:05:00Z',
    detected: '2026-01-20T12:10:00Z',
    decided: '2026-01-20T12:11:00Z',
    restored: '2026-01-20T12:20:00Z',
    state: 'resolved',
    steps: [{ position: 1, kind: 'schema', state: 'succeeded', input: { target: '20260117_add_ai_features' } }],
    output: { migration: '20260117_add_ai_features', archived: [{ archiveTable: `rollback_archive.${ARCHIVE}`, rows: 42, checksum: '42:1' }] },
  },
  { id: 'INC-C', opened: '2026-01-25T08:02:00Z', detected: '2026-01-25T08:02:00Z', state: 'cancelled' },
  { id: 'INC-D', opened: '2025-12-01T00:00:00Z', decided: '2025-12-01T00:01:00Z', restored: '2025-12-01T01:00:00Z', state: 'resolved' },
  { id: 'INC-E', service: OTHER, opened: '2026-01-15T00:00:00Z', decided: '2026-01-15T00:01:00Z', restored: '2026-01-15T00:03:00Z', state: 'resolved' },
];

const DEPLOYMENTS: [string, string][] = [
  ['dpl_old', '2025-11-30T00:00:00Z'],
  ['dpl_0', '2026-01-05T09:00:00Z'],
  ['dpl_1', '2026-01-10T10:00:00Z'],
  ['dpl_2', '2026-01-20T12:00:00Z'],
  ['dpl_3', '2026-01-25T08:00:00Z'],
];

async function seed(store: IncidentStore): Promise<void> {
  for (const [deploymentId, servedFrom] of DEPLOYMENTS) await store.recordDeployment({ service: SERVICE, deploymentId, servedFrom: t(servedFrom), firstSeenAt: t(servedFrom) });
  for (const s of SEEDS) {
    const { incident } = await store.openIncident(
      {
        id: s.id,
        service: s.service ?? SERVICE,
        issue: `issue of ${s.id}`,
        trigger: 'test timeline',
        openedBy: 'U0DEVOPS1',
        openedAt: t(s.opened),
        impactStartedAt: s.impact ? t(s.impact) : undefined,
        detectedAt: s.detected ? t(s.detected) : undefined,
        decidedAt: s.decided ? t(s.decided) : undefined,
        channelId: 'C0ELSEWHRE',
        data: { request: { kind: s.steps ? 'schema' : 'application' }, requestedBy: 'U0DEVOPS1', owner: 'U0DEVOPS1' },
      },
      s.steps ?? [],
    );
    if (s.output) {
      const [step] = await store.steps(incident.id);
      if (step) await store.moveStep(step.id, 'succeeded', 'succeeded', { output: s.output });
    }
    const end = s.restored ? t(s.restored) : t(s.opened);
    await store.moveIncident(incident.id, 'open', s.state, { restoredAt: s.restored ? end : undefined, closedAt: end });
  }
}

describe('rollback metrics against the runbook targets', () => {
  const database = testDatabase('follow_stats');
  const appDatabase = testDatabase('follow_stats_app');
  const clock = new TestClock(NOW);
  let bot: TestBot;
  let db: Db;
  let store: IncidentStore;

  beforeAll(async () => {
    await Promise.all([database.create(), appDatabase.create()]);
    bot = await startTestBot({
      databaseUrl: database.url,
      services: [exampleServiceRaw(), exampleServiceRaw({ name: OTHER, displayName: 'Other App', vercel: { projectId: OTHER } })],
      env: { DR_AMAL_DATABASE_URL: appDatabase.url },
      wiring: { adapters: { clock }, options: { noSchedules: true } },
    });
    db = createDb(database.url, silentLogger, 2);
    store = createIncidentStore(db);
    await seed(store);
  });

  afterAll(async () => {
    await bot?.stop();
    await db?.close();
    await Promise.all([database.drop(), appDatabase.drop()]);
  });

  it('computes each figure of one service from the known timeline', async () => {
    const metrics = await measureRollbacks(store, { service: SERVICE, at: t(NOW) });
    expect(metrics.from.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(metrics.rollbacks).toBe(2);
    expect(metrics.perMonth).toEqual({ '2026-01': 2 });
    // January from the 2nd: 30 of its 31 days.
    expect(figure(metrics, 'rollback_frequency')).toMatchObject({ pass: false, target: '< 1 per month', samples: 2 });
    expect(figure(metrics, 'rollback_frequency').value).toBeCloseTo((2 * 31) / 30, 12);
    expect(figure(metrics, 'rollbacks_per_deployment')).toMatchObject({ value: 2 / 4, samples: 4, pass: undefined });
    expect(figure(metrics, 'detection_time')).toMatchObject({ value: 600, mean: 300, samples: 3, pass: false, missedBy: ['INC-B'] });
    expect(figure(metrics, 'execution_time')).toMatchObject({ value: 540, mean: 390, samples: 2, pass: false, missedBy: ['INC-B'] });
    // Exactly 15 minutes misses "< 15 min".
    expect(figure(metrics, 'downtime')).toMatchObject({ value: 900, mean: 630, samples: 2, pass: false, missedBy: ['INC-B'] });
    expect(figure(metrics, 'data_loss')).toMatchObject({ value: 42, mean: 21, samples: 2, pass: false, missedBy: ['INC-B'] });
  });

  it('counts every service together when none is named', async () => {
    const metrics = await measureRollbacks(store, { at: t(NOW) });
    expect(metrics.rollbacks).toBe(3);
    expect(figure(metrics, 'execution_time')).toMatchObject({ value: 540, samples: 3 });
    const other = await measureRollbacks(store, { service: OTHER, at: t(NOW) });
    expect(figure(other, 'execution_time')).toMatchObject({ value: 120, pass: true });
    expect(figure(other, 'detection_time')).toMatchObject({ value: undefined, pass: undefined });
  });

  it('/rollback stats answers each figure against its target with pass or fail and the period', async () => {
    const reply = (await bot.sender.slashCommand({ text: `stats ${SERVICE}`, userId: 'U0NOBODY1' })).json() as { response_type: string; text: string; blocks: unknown[] };
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toContain('Rollback metrics of Dr Amal Clinical OS (dr-amal-clinical-os) (Jan 1, 2026, 7:00 PM ET to Jan 31, 2026, 7:00 PM ET): 2 rollbacks. 5 of 5 judged targets missed.');
    const body = JSON.stringify(reply.blocks);
    expect(body).toContain('❌ *Rollback frequency*: 2.07 per month (target &lt; 1 per month, 2 rollbacks)');
    expect(body).toContain('➖ *Rollbacks per deployment*: 0.5 per deployment (no target in the runbook, 4 deployments)');
    expect(body).toContain('❌ *Detection time (deployment → detected)*: worst 10 min, mean 5 min (target &lt; 5 min, 3 incidents; missed by INC-B)');
    expect(body).toContain('❌ *Downtime (impact start → restored)*: worst 15 min, mean 10 min 30 s');
    expect(body).toContain('worst 42 rows');

    const all = (await bot.sender.slashCommand({ text: 'stats', userId: 'U0NOBODY1' })).json() as { text: string };
    expect(all.text).toMatch(/Rollback metrics of all services .*: 3 rollbacks\./);
    const unknown = (await bot.sender.slashCommand({ text: 'stats no-such-app', userId: 'U0NOBODY1' })).json() as { text: string };
    expect(unknown.text).toMatch(/Unknown service `no-such-app`/);
  });

  it('exposes the same figures as Prometheus gauges per service on /metrics', async () => {
    const text = await (await fetch(`${bot.baseUrl}/metrics`)).text();
    const gauge = (line: string): number => Number(new RegExp(`^${line.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(gauge(`rollback_bot_rollbacks_per_month{service="${SERVICE}"}`)).toBeCloseTo((2 * 31) / 30, 4);
    expect(gauge(`rollback_bot_rollbacks_per_month{service="${OTHER}"}`)).toBeCloseTo(31 / 30, 4);
    expect(gauge(`rollback_bot_rollbacks_per_deployment{service="${SERVICE}"}`)).toBe(0.5);
    expect(gauge(`rollback_bot_detection_time_seconds{service="${SERVICE}",aggregate="worst"}`)).toBe(600);
    expect(gauge(`rollback_bot_execution_time_seconds{service="${SERVICE}",aggregate="mean"}`)).toBe(390);
    expect(gauge(`rollback_bot_downtime_seconds{service="${SERVICE}",aggregate="worst"}`)).toBe(900);
    expect(gauge(`rollback_bot_data_loss_rows{service="${SERVICE}",aggregate="worst"}`)).toBe(42);
    expect(gauge(`rollback_bot_metric_target_met{service="${SERVICE}",metric="downtime"}`)).toBe(0);
    expect(gauge(`rollback_bot_metric_target_met{service="${OTHER}",metric="execution_time"}`)).toBe(1);
    expect(gauge('rollback_bot_metric_target{metric="downtime"}')).toBe(900);
    expect(text).not.toMatch(/rollback_bot_detection_time_seconds\{service="other-app"/);
    // One unit per name, in Prometheus base units: no minutes anywhere.
    expect(text).not.toMatch(/^rollback_bot_\w*minutes/m);
  });

  const dataLoss = async () => figure(await measureRollbacks(store, { service: SERVICE, at: clock.now() }), 'data_loss');
  const statsDataLoss = async (): Promise<string> => {
    const reply = (await bot.sender.slashCommand({ text: `stats ${SERVICE}`, userId: 'U0NOBODY1' })).json() as { blocks: unknown[] };
    return /Data loss \(archived values not restored\)\*: worst ([^,(]+)[,(]/.exec(JSON.stringify(reply.blocks))?.[1]?.trim() ?? 'no line';
  };

  it('counts a restore-archive at once when it can record it in the bot\'s store (no scheduled job)', async () => {
    expect((await dataLoss()).value).toBe(42);
    expect(await recordRestored(db, [{ archiveTable: `rollback_archive.${ARCHIVE}`, restoredRows: 42 }, { archiveTable: 'rollback_archive.not_ours', restoredRows: 3 }], clock.now())).toBe(1);
    expect(await dataLoss()).toMatchObject({ value: 0, pass: true, missedBy: [] });
    expect(await statsDataLoss()).toBe('0 rows');
    await db.query({ text: 'DELETE FROM archive_facts', values: [] });
    expect((await dataLoss()).value).toBe(42);
  });

  it('reads the app database\'s manifest when /rollback stats is asked, so a restore the store never heard of counts at once', async () => {
    const app = new Client({ connectionString: appDatabase.url });
    await app.connect();
    try {
      await ensureArchiveSchema(app);
      await app.query(
        `INSERT INTO rollback_archive.manifest (archive_table, migration_name, incident_id, kind, source_schema,
           source_table, source_column, key_columns, row_count, checksum, restored_at)
         VALUES ($1, '20260117_add_ai_features', 'INC-B', 'column', 'public', 'users', 'phone', ARRAY['id'], 42, '42:1', NULL)`,
        [ARCHIVE],
      );
      expect(await statsDataLoss()).toBe('42 rows');
      // restore-archive ran where the bot's store was out of reach: only the manifest knows.
      await app.query('UPDATE rollback_archive.manifest SET restored_at = now() WHERE archive_table = $1', [ARCHIVE]);
      expect(await statsDataLoss()).toBe('0 rows');
    } finally {
      await app.end();
    }
    expect(await dataLoss()).toMatchObject({ value: 0, pass: true, missedBy: [] });
  });
});

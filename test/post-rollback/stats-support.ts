/**
 * Shared setup for the rollback-metrics tests (stats-figures, stats-data-loss): the known timeline of incidents and
 * deployments, seeded through the real store (PostgreSQL), and the real bot started over it with the app database.
 */
import { silentLogger } from '../../src/logger';
import type { IncidentStore, NewStep } from '../../src/rollback/ports/incident-store';
import { createIncidentStore } from '../../src/store/incident-store';
import { type Db, createDb } from '../../src/store/pool';
import { type TestBot, startTestBot } from '../support/bot';
import { type TestDatabase, testDatabase } from '../support/database';
import { TestClock } from '../support/incident-world';
import { exampleServiceRaw } from '../support/services';

export const SERVICE = 'dr-amal-clinical-os';
export const OTHER = 'other-app';
export const NOW = '2026-02-01T00:00:00Z';
export const ARCHIVE = 'users__phone_1a2b3c4d';
export const t = (iso: string): Date => new Date(iso);

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
  {
    id: 'INC-A',
    opened: '2026-01-10T10:03:00Z',
    impact: '2026-01-10T10:02:00Z',
    detected: '2026-01-10T10:03:00Z',
    decided: '2026-01-10T10:04:00Z',
    restored: '2026-01-10T10:08:00Z',
    state: 'resolved',
  },
  {
    id: 'INC-B',
    opened: '2026-01-20T12:10:00Z',
    impact: '2026-01-20T12:05:00Z',
    detected: '2026-01-20T12:10:00Z',
    decided: '2026-01-20T12:11:00Z',
    restored: '2026-01-20T12:20:00Z',
    state: 'resolved',
    steps: [{ position: 1, kind: 'schema', state: 'succeeded', input: { target: '20260117_add_ai_features' } }],
    output: {
      migration: '20260117_add_ai_features',
      archived: [{ archiveTable: `rollback_archive.${ARCHIVE}`, rows: 42, checksum: '42:1' }],
    },
  },
  { id: 'INC-C', opened: '2026-01-25T08:02:00Z', detected: '2026-01-25T08:02:00Z', state: 'cancelled' },
  {
    id: 'INC-D',
    opened: '2025-12-01T00:00:00Z',
    decided: '2025-12-01T00:01:00Z',
    restored: '2025-12-01T01:00:00Z',
    state: 'resolved',
  },
  {
    id: 'INC-E',
    service: OTHER,
    opened: '2026-01-15T00:00:00Z',
    decided: '2026-01-15T00:01:00Z',
    restored: '2026-01-15T00:03:00Z',
    state: 'resolved',
  },
];

const DEPLOYMENTS: [string, string][] = [
  ['dpl_old', '2025-11-30T00:00:00Z'],
  ['dpl_0', '2026-01-05T09:00:00Z'],
  ['dpl_1', '2026-01-10T10:00:00Z'],
  ['dpl_2', '2026-01-20T12:00:00Z'],
  ['dpl_3', '2026-01-25T08:00:00Z'],
];

async function seed(store: IncidentStore): Promise<void> {
  for (const [deploymentId, servedFrom] of DEPLOYMENTS)
    await store.recordDeployment({
      service: SERVICE,
      deploymentId,
      servedFrom: t(servedFrom),
      firstSeenAt: t(servedFrom),
    });
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

interface StatsWorld {
  appDatabase: TestDatabase;
  clock: TestClock;
  bot: TestBot;
  db: Db;
  store: IncidentStore;
}

/** The bot over the seeded timeline for one describe block; its fields are set once its beforeAll has run. */
export function useStatsWorld(): StatsWorld {
  const database = testDatabase('follow_stats');
  const world = { appDatabase: testDatabase('follow_stats_app'), clock: new TestClock(NOW) } as StatsWorld;

  beforeAll(async () => {
    await Promise.all([database.create(), world.appDatabase.create()]);
    world.bot = await startTestBot({
      databaseUrl: database.url,
      services: [
        exampleServiceRaw(),
        exampleServiceRaw({ name: OTHER, displayName: 'Other App', vercel: { projectId: OTHER } }),
      ],
      env: { DR_AMAL_DATABASE_URL: world.appDatabase.url },
      wiring: { adapters: { clock: world.clock }, options: { noSchedules: true } },
    });
    world.db = createDb(database.url, silentLogger, 2);
    world.store = createIncidentStore(world.db);
    await seed(world.store);
  });

  afterAll(async () => {
    await world.bot?.stop();
    await world.db?.close();
    await Promise.all([database.drop(), world.appDatabase.drop()]);
  });
  return world;
}

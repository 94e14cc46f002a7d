/**
 * Shared set-up for the incident-store tests: a fresh database with the
 * bot's migrations, two pools (two "replicas") each with its own store, and
 * builders for incidents and steps.
 */
import { silentLogger } from '../../src/logger';
import type { IncidentStore } from '../../src/rollback/ports/incident-store';
import { type IncidentStoreOptions, createIncidentStore } from '../../src/store/incident-store';
import { migrate } from '../../src/store/migrate';
import { type Db, createDb } from '../../src/store/pool';
import { upsertService } from '../../src/store/queries/services';
import { testDatabase } from '../support/database';
import { exampleService } from '../support/services';

export const SERVICE = 'dr-amal-clinical-os';
export const OTHER_SERVICES = ['svc-b', 'svc-c', 'svc-d', 'svc-e', 'svc-f', 'svc-g', 'svc-h'] as const;

interface StoreHarness {
  url: string;
  /** Replica one: its pool and store. */
  db: Db;
  store: IncidentStore;
  /** Replica two, on its own pool. */
  otherDb: Db;
  otherStore: IncidentStore;
}

/** Registers beforeAll/afterAll; the returned object is filled in before the first test. */
export function useIncidentStore(label: string, options: IncidentStoreOptions = {}): StoreHarness {
  const database = testDatabase(label);
  const harness = { url: database.url } as StoreHarness;
  beforeAll(async () => {
    await database.create();
    harness.db = createDb(database.url, silentLogger);
    harness.otherDb = createDb(database.url, silentLogger);
    await migrate(harness.db, silentLogger);
    await harness.db.query(upsertService(exampleService()));
    for (const name of OTHER_SERVICES) await harness.db.query(upsertService(exampleService({ name })));
    harness.store = createIncidentStore(harness.db, options);
    harness.otherStore = createIncidentStore(harness.otherDb, options);
  });
  afterAll(async () => {
    await harness.db?.close();
    await harness.otherDb?.close();
    await database.drop();
  });
  return harness;
}

export { newIncident, planSteps } from '../support/store-builders';

/** Closes every open incident and cancels unfinished steps, so a test's claims and lists see only its own. */
export async function closeAllIncidents(db: Db): Promise<void> {
  await db.query({
    text: "UPDATE incidents SET state = 'cancelled' WHERE state IN ('open', 'rolling_back', 'verifying')",
  });
  await db.query({
    text: "UPDATE steps SET state = 'cancelled' WHERE state NOT IN ('succeeded', 'failed', 'cancelled')",
  });
}

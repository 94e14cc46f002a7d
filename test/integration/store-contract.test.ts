/**
 * The store contract against the PostgreSQL adapter: the same cases the
 * in-memory fake passes (test/unit/engine/memory-store-contract.test.ts), so
 * the engine's decision tests on the fake stand for what production does.
 * Time passes for real here (short leases and claims); each case starts with
 * no open incident.
 */
import { silentLogger } from '../../src/logger';
import type { IncidentStore } from '../../src/rollback/ports/incident-store';
import { createIncidentStore } from '../../src/store/incident-store';
import { migrate } from '../../src/store/migrate';
import { type Db, createDb } from '../../src/store/pool';
import { upsertService } from '../../src/store/queries/services';
import { testDatabase } from '../support/database';
import { CONTRACT_CLAIM_LEASE_MS, CONTRACT_SERVICES, sleep, storeContract } from '../support/memory-store/contract';
import { exampleService } from '../support/services';
import { closeAllIncidents } from './incident-store-fixtures';

describe('PostgreSQL incident store (the contract the in-memory fake keeps too)', () => {
  const database = testDatabase('store_contract');
  let db: Db;
  let store: IncidentStore;
  beforeAll(async () => {
    await database.create();
    db = createDb(database.url, silentLogger);
    await migrate(db, silentLogger);
    for (const name of CONTRACT_SERVICES) await db.query(upsertService(exampleService({ name })));
    store = createIncidentStore(db, { claimLeaseMs: CONTRACT_CLAIM_LEASE_MS });
  });
  afterAll(async () => {
    await db?.close();
    await database.drop();
  });
  beforeEach(() => closeAllIncidents(db));

  storeContract(() => ({ store, pass: sleep, now: () => new Date() }));
});

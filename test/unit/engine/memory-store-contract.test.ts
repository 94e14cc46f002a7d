/**
 * The store contract against the in-memory fake (test/support/memory-store).
 * test/integration/store-contract.test.ts runs the same cases against
 * PostgreSQL: together they prove the fake the engine tests use is faithful.
 */
import { ManualClock } from '../../../src/rollback/clock';
import { type MemoryStore, createMemoryStore } from '../../support/memory-store';
import { CONTRACT_CLAIM_LEASE_MS, CONTRACT_SERVICES, storeContract } from '../../support/memory-store/contract';

describe('in-memory store (the contract the PostgreSQL adapter keeps too)', () => {
  let clock: ManualClock;
  let store: MemoryStore;
  beforeEach(() => {
    clock = new ManualClock('2026-01-17T10:00:00Z');
    store = createMemoryStore({ clock, services: CONTRACT_SERVICES, claimLeaseMs: CONTRACT_CLAIM_LEASE_MS });
  });

  storeContract(() => ({
    store,
    pass: async (ms) => clock.advance(ms),
    now: () => clock.now(),
  }));
});

/**
 * In-memory fakes of the store's roles (src/rollback/ports/store-roles.ts),
 * faithful to the PostgreSQL adapter in what the engine relies on: the same
 * contract cases run against both (test/support/memory-store/contract.ts).
 * Each role can be built alone over shared tables; `createMemoryStore` puts
 * together what the incident engine and the checklist use.
 */
import type { EngineStore, FollowUpRecords } from '../../../src/rollback/ports/store-roles';
import { memoryApprovals } from './approvals';
import { memoryDeployments } from './deployments';
import { memoryFollowUps } from './follow-ups';
import { memoryIncidents } from './incidents';
import { memorySteps } from './steps';
import { type MemoryTables, type MemoryTablesOptions, createTables } from './tables';
import { memoryServiceLocks, memoryTimeline } from './timeline';

export type MemoryStore = EngineStore &
  FollowUpRecords & {
    /** The rows, for a test that sets up what no role method would (a step left running by a dead worker). */
    readonly tables: MemoryTables;
    /** Services whose lock is held now. */
    heldLocks(): string[];
  };

export function createMemoryStore(options: MemoryTablesOptions): MemoryStore {
  const tables = createTables(options);
  const locks = memoryServiceLocks();
  return {
    ...memoryIncidents(tables),
    ...memorySteps(tables),
    ...memoryApprovals(tables),
    ...memoryTimeline(tables),
    withServiceLock: locks.withServiceLock,
    ...memoryDeployments(tables),
    ...memoryFollowUps(tables),
    tables,
    heldLocks: locks.held,
  };
}

/** The timeline in memory: append-only, read back in the order written; the service's advisory locks. */
import type { IncidentTimeline, ServiceLocks } from '../../../src/rollback/ports/store-roles';
import { type MemoryTables, appendEntry, copy } from './tables';

export function memoryTimeline(tables: MemoryTables): IncidentTimeline {
  return {
    async appendTimeline(entry) {
      appendEntry(tables, entry);
    },
    async timeline(incidentId) {
      return tables.timeline.filter((e) => e.incidentId === incidentId).map(copy);
    },
  };
}

/**
 * One holder per service, refused at once to anyone else. Like the adapter,
 * whose every call takes its own pooled connection, a nested call for the same
 * service is another session and is refused too.
 */
export function memoryServiceLocks(): ServiceLocks & { held(): string[] } {
  const held = new Set<string>();
  return {
    async withServiceLock(service, fn) {
      if (held.has(service)) return { ran: false };
      held.add(service);
      try {
        return { ran: true, value: await fn() };
      } finally {
        held.delete(service);
      }
    },
    held: () => [...held],
  };
}

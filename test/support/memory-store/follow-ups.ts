/** The post-rollback checklist in memory: started once per incident, changed as a whole or not at all. */
import type { FollowUpItem } from '../../../src/rollback/follow-up/checklist';
import type { FollowUpRecords } from '../../../src/rollback/ports/store-roles';
import { type MemoryTables, copy, requireIncident } from './tables';

/** What a row keeps of an item: the changeable fields are written, the rest stays as started. */
function written(stored: FollowUpItem, item: FollowUpItem): FollowUpItem {
  const next: FollowUpItem = { id: stored.id, title: stored.title, dueAt: stored.dueAt };
  if (item.doneAt) next.doneAt = item.doneAt;
  if (item.doneBy) next.doneBy = item.doneBy;
  if (item.snoozedUntil) next.snoozedUntil = item.snoozedUntil;
  if (item.remindedAt) next.remindedAt = item.remindedAt;
  return next;
}

const due = (item: FollowUpItem, at: Date): boolean =>
  !item.doneAt && item.dueAt <= at && (!item.snoozedUntil || item.snoozedUntil <= at);

export function memoryFollowUps(tables: MemoryTables): FollowUpRecords {
  const itemsOf = (incidentId: string): FollowUpItem[] => (tables.followUps.get(incidentId) ?? []).map(copy);
  return {
    async followUps(incidentId) {
      return itemsOf(incidentId);
    },

    async startFollowUps(incidentId, items) {
      requireIncident(tables, incidentId);
      if (!tables.followUps.has(incidentId) && items.length > 0) {
        const unique = items.filter((item, index) => items.findIndex((other) => other.id === item.id) === index);
        tables.followUps.set(
          incidentId,
          unique.map((item) => written(item, item)),
        );
      }
      return itemsOf(incidentId);
    },

    async changeFollowUps(incidentId, change) {
      const before = itemsOf(incidentId);
      const after = change(itemsOf(incidentId));
      const stored = tables.followUps.get(incidentId);
      if (stored)
        tables.followUps.set(
          incidentId,
          stored.map((item) => written(item, after.find((a) => a.id === item.id) ?? item)),
        );
      return { before, after };
    },

    async incidentsWithDueFollowUps(at) {
      return [...tables.followUps.entries()]
        .filter(([, items]) => items.some((item) => due(item, at)))
        .map(([incidentId]) => incidentId)
        .sort();
    },

    async openFollowUps(limit) {
      const open = [...tables.followUps.entries()].flatMap(([incidentId, items]) =>
        items.flatMap((item, position) =>
          item.doneAt
            ? []
            : [{ incidentId, service: tables.incidents.get(incidentId)?.service ?? '', item: copy(item), position }],
        ),
      );
      return open
        .sort(
          (a, b) =>
            a.item.dueAt.getTime() - b.item.dueAt.getTime() ||
            a.incidentId.localeCompare(b.incidentId) ||
            a.position - b.position,
        )
        .slice(0, limit)
        .map(({ incidentId, service, item }) => ({ incidentId, service, item }));
    },
  };
}

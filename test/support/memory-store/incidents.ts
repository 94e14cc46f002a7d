/** Incidents in memory: one open per service (the partial unique index), states moved by compare-and-set. */
import { isIncidentOpen } from '../../../src/rollback/incident/incident-state';
import { RollbackError } from '../../../src/rollback/errors';
import type { IncidentPatch, IncidentRecord, NewIncident } from '../../../src/rollback/ports/incident-store';
import type { IncidentRecords } from '../../../src/rollback/ports/store-roles';
import { unknownIncident } from '../../../src/store/store-errors';
import { insertSteps } from './steps';
import { type MemoryTables, appendEntry, asJson, checkService, conflict, copy, requireIncident } from './tables';

const openOf = (tables: MemoryTables, service: string): IncidentRecord | undefined =>
  [...tables.incidents.values()].find((i) => i.service === service && isIncidentOpen(i.state));

function fromNew(incident: NewIncident): IncidentRecord {
  return {
    id: incident.id,
    service: incident.service,
    state: 'open',
    severity: incident.severity,
    issue: incident.issue,
    trigger: incident.trigger,
    openedBy: incident.openedBy,
    openedAt: incident.openedAt,
    impactStartedAt: incident.impactStartedAt,
    detectedAt: incident.detectedAt,
    decidedAt: incident.decidedAt,
    restoredAt: undefined,
    closedAt: undefined,
    channelId: incident.channelId,
    threadTs: undefined,
    data: asJson(incident.data),
  };
}

const PATCHABLE = [
  'state',
  'issue',
  'trigger',
  'severity',
  'decidedAt',
  'restoredAt',
  'closedAt',
  'threadTs',
  'impactStartedAt',
  'detectedAt',
] as const;

/** The patch as `UPDATE ... SET x = COALESCE($x, x), data = data || $data` applies it. */
function patched(incident: IncidentRecord, patch: IncidentPatch): IncidentRecord {
  const next: IncidentRecord = { ...incident, data: { ...incident.data, ...asJson(patch.data ?? {}) } };
  for (const field of PATCHABLE) {
    if (patch[field] !== undefined && patch[field] !== null) Object.assign(next, { [field]: patch[field] });
  }
  return next;
}

/** Stores a patched incident unless it would be a second open one of its service. */
function write(tables: MemoryTables, next: IncidentRecord): IncidentRecord {
  const open = openOf(tables, next.service);
  if (isIncidentOpen(next.state) && open && open.id !== next.id) {
    throw conflict(
      `Incident ${next.id} cannot be reopened: its service already has another open incident.`,
      'Finish or cancel the open incident first.',
    );
  }
  tables.incidents.set(next.id, next);
  return copy(next);
}

export function memoryIncidents(tables: MemoryTables): IncidentRecords {
  return {
    async openIncident(incident, newSteps, opened, approvalsNeeded = []) {
      checkService(tables, incident.service);
      const open = openOf(tables, incident.service);
      if (open) return { incident: copy(open), created: false };
      if (tables.incidents.has(incident.id)) {
        throw conflict(
          `The incident id ${incident.id} is already used by an earlier incident.`,
          'Ask again: a new request gets a new id.',
          true,
        );
      }
      // Checked before anything is written: the transaction would roll back.
      const positions = newSteps.map((_, rank) => rank + 1);
      for (const needed of approvalsNeeded) {
        if (!positions.includes(needed.position)) {
          throw new RollbackError(
            'internal',
            `The plan has no step at position ${needed.position} for approval ${needed.approval.id}.`,
          );
        }
      }
      const record = fromNew(incident);
      tables.incidents.set(record.id, record);
      const inserted = insertSteps(tables, record.id, newSteps);
      if (opened) appendEntry(tables, { ...opened, incidentId: record.id });
      for (const needed of approvalsNeeded) {
        const step = inserted.find((s) => s.position === needed.position);
        tables.approvals.set(needed.approval.id, {
          ...needed.approval,
          incidentId: record.id,
          stepId: step?.id ?? '',
          decision: 'pending',
          decidedBy: undefined,
          decidedAt: undefined,
          messageTs: undefined,
        });
        appendEntry(tables, { ...needed.record, incidentId: record.id });
      }
      return { incident: copy(record), created: true };
    },

    async getIncident(id) {
      const incident = tables.incidents.get(id);
      return incident ? copy(incident) : undefined;
    },

    async findOpenIncident(service) {
      const open = openOf(tables, service);
      return open ? copy(open) : undefined;
    },

    async listIncidents({ service, limit, openOnly }) {
      return [...tables.incidents.values()]
        .filter((i) => (service === undefined || i.service === service) && (!openOnly || isIncidentOpen(i.state)))
        .sort((a, b) => b.openedAt.getTime() - a.openedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
        .slice(0, limit)
        .map(copy);
    },

    async updateIncident(id, patch) {
      const incident = tables.incidents.get(id);
      if (!incident) throw unknownIncident(id);
      return write(tables, patched(incident, patch));
    },

    async moveIncident(id, from, to, patch = {}, record) {
      const incident = tables.incidents.get(id);
      if (incident?.state !== from) return undefined;
      if (record?.incidentId !== undefined) requireIncident(tables, record.incidentId);
      const moved = write(tables, patched(incident, { ...patch, state: to }));
      if (record) appendEntry(tables, record);
      return moved;
    },
  };
}

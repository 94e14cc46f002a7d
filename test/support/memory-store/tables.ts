/**
 * The rows of the in-memory store, shared by its roles as PostgreSQL's tables
 * are shared by the adapter's queries. Each role method runs without an await
 * between its read and its write, so it is atomic as one transaction is: a
 * compare-and-set here settles a race the way the row lock does there.
 * Time is the injected clock where PostgreSQL uses now().
 */
import type { FollowUpItem } from '../../../src/rollback/follow-up/checklist';
import { RollbackError } from '../../../src/rollback/errors';
import type { Clock } from '../../../src/rollback/clock';
import type {
  ApprovalRecord,
  DeploymentRecord,
  IncidentRecord,
  NewTimelineEntry,
  StepRecord,
  TimelineRecord,
} from '../../../src/rollback/ports/incident-store';
import { unknownIncident, unknownService } from '../../../src/store/store-errors';

export interface MemoryTables {
  readonly clock: Clock;
  /** The services "in the bot's database"; undefined accepts any name. */
  readonly services: ReadonlySet<string> | undefined;
  /** How long a claim on a step that has not started keeps other workers away (the adapter's claimLeaseMs). */
  readonly claimLeaseMs: number;
  readonly incidents: Map<string, IncidentRecord>;
  readonly steps: Map<string, StepRecord>;
  readonly approvals: Map<string, ApprovalRecord>;
  readonly timeline: TimelineRecord[];
  /** Keyed by service and deployment id. */
  readonly deployments: Map<string, DeploymentRecord>;
  readonly followUps: Map<string, FollowUpItem[]>;
  /** The sequences: step ids, timeline ids and lease tokens count up as bigserials do. */
  readonly sequence: { step: number; timeline: number; lease: number };
}

export interface MemoryTablesOptions {
  clock: Clock;
  services?: readonly string[];
  claimLeaseMs?: number;
}

export function createTables(options: MemoryTablesOptions): MemoryTables {
  return {
    clock: options.clock,
    services: options.services ? new Set(options.services) : undefined,
    claimLeaseMs: options.claimLeaseMs ?? 60_000,
    incidents: new Map(),
    steps: new Map(),
    approvals: new Map(),
    timeline: [],
    deployments: new Map(),
    followUps: new Map(),
    sequence: { step: 0, timeline: 0, lease: 0 },
  };
}

/** What a jsonb column gives back: dates as strings, undefined members gone. */
export const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * A copy for the caller, as a row read is: changing it changes nothing stored.
 * (structuredClone would make its dates in Node's realm, not the test's.)
 */
export function copy<T>(value: T): T {
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map(copy) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)])) as T;
}

export const later = (at: Date, ms: number): Date => new Date(at.getTime() + ms);

export function checkService(tables: MemoryTables, service: string): void {
  if (tables.services && !tables.services.has(service)) throw unknownService(service, undefined);
}

export function requireIncident(tables: MemoryTables, id: string): IncidentRecord {
  const incident = tables.incidents.get(id);
  if (!incident) throw unknownIncident(id);
  return incident;
}

/** Appends to the timeline; an entry naming an unknown incident is refused as the foreign key does. */
export function appendEntry(tables: MemoryTables, entry: NewTimelineEntry): void {
  if (entry.incidentId !== undefined) requireIncident(tables, entry.incidentId);
  tables.sequence.timeline += 1;
  tables.timeline.push({
    id: String(tables.sequence.timeline),
    incidentId: entry.incidentId,
    service: entry.service,
    at: entry.at ?? tables.clock.now(),
    actor: entry.actor,
    kind: entry.kind,
    message: entry.message,
    data: asJson(entry.data ?? {}),
  });
}

export const conflict = (message: string, fix: string, retryable = false): RollbackError =>
  new RollbackError('conflict', message, { fix, retryable });

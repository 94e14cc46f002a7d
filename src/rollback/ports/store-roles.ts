/**
 * The store, cut into the roles its callers play: each port is what one kind
 * of caller needs, so a function names the roles it uses and a test gives it
 * the in-memory fakes of just those (test/support/memory-store, proven against
 * PostgreSQL by test/integration/store-contract.test.ts). `IncidentStore` in
 * ./incident-store is their intersection, which the PostgreSQL adapter implements.
 */
import type { IncidentState } from '../incident/incident-state';
import type { StepState } from '../incident/step-state';
import type { FollowUpItem } from '../follow-up/checklist';
import type { FlagActionFact } from './flags';
import type {
  ApprovalRecord,
  DeploymentRecord,
  IncidentPatch,
  IncidentRecord,
  MetricsInput,
  NewIncident,
  NewIncidentApproval,
  NewStep,
  NewTimelineEntry,
  OpenFollowUp,
  StepPatch,
  StepRecord,
  TimelineRecord,
} from './incident-store';

/** Incidents: one open per service, states moved by compare-and-set. */
export interface IncidentRecords {
  /**
   * Opens an incident with its steps, or, when the service already has an open
   * one, returns that one with created=false (the second request joins it).
   * `opened`, the timeline entry of the opening, is written in the same
   * transaction when the incident is created: no incident exists without it.
   */
  openIncident(
    incident: NewIncident,
    steps: NewStep[],
    opened?: Omit<NewTimelineEntry, 'incidentId'>,
    approvals?: readonly NewIncidentApproval[],
  ): Promise<{ incident: IncidentRecord; created: boolean }>;
  getIncident(id: string): Promise<IncidentRecord | undefined>;
  findOpenIncident(service: string): Promise<IncidentRecord | undefined>;
  /** Newest first; all services when service is undefined. */
  listIncidents(options: { service?: string; limit: number; openOnly?: boolean }): Promise<IncidentRecord[]>;
  /** data is merged shallowly into the stored data. */
  updateIncident(id: string, patch: IncidentPatch): Promise<IncidentRecord>;
  /**
   * Compare-and-set of the incident state: undefined when it was not `from` any more.
   * `record`, the timeline entry of the move, is written in the same transaction, only
   * when the move happens: a crash never leaves a move without its entry.
   */
  moveIncident(
    id: string,
    from: IncidentState,
    to: IncidentState,
    patch?: IncidentPatch,
    record?: NewTimelineEntry,
  ): Promise<IncidentRecord | undefined>;
}

/** Plan steps, the claims on them, and the leases and fencing tokens of the workers that run them. */
export interface StepRecords {
  steps(incidentId: string): Promise<StepRecord[]>;
  getStep(id: string): Promise<StepRecord | undefined>;
  /** Adds steps after the existing ones (e.g. a deploy after a revert). */
  addSteps(incidentId: string, steps: NewStep[]): Promise<StepRecord[]>;
  /**
   * Compare-and-set of one step's state: undefined when another replica moved it first.
   * `record`, the timeline entry of the move, is written in the same transaction, only
   * when the move happens.
   */
  moveStep(
    id: string,
    from: StepState,
    to: StepState,
    patch?: StepPatch,
    record?: NewTimelineEntry,
  ): Promise<StepRecord | undefined>;
  /**
   * Claims up to `limit` steps that may run now: state pending or approved, of an
   * open incident, every earlier step of the incident succeeded, not claimed by a
   * live worker. Uses FOR UPDATE SKIP LOCKED and sets claimed_by = worker.
   */
  claimRunnable(worker: string, limit: number): Promise<StepRecord[]>;
  /** Running steps whose lease expired (worker dead, cut off or parked): to reconcile. */
  runningSteps(): Promise<StepRecord[]>;
  /** The heartbeat: extends the lease while `token` still holds it; false once it was lost. */
  renewLease(stepId: string, token: string, leaseMs: number): Promise<boolean>;
}

/** The CTO's approvals: created once per id (a retry gets the stored one), decided once. */
export interface ApprovalRecords {
  createApproval(approval: Omit<ApprovalRecord, 'decision' | 'decidedBy' | 'decidedAt'>): Promise<ApprovalRecord>;
  getApproval(id: string): Promise<ApprovalRecord | undefined>;
  approvalsFor(incidentId: string): Promise<ApprovalRecord[]>;
  /** Compare-and-set from 'pending': undefined when it was already decided. */
  decideApproval(
    id: string,
    decision: 'approved' | 'rejected' | 'expired',
    by: string | undefined,
    at: Date,
  ): Promise<ApprovalRecord | undefined>;
  setApprovalMessage(id: string, messageTs: string): Promise<void>;
  /** Pending approvals whose expiry has passed. */
  expiredApprovals(at: Date): Promise<ApprovalRecord[]>;
}

/** The audit trail: append-only, read back in the order written. */
export interface IncidentTimeline {
  appendTimeline(entry: NewTimelineEntry): Promise<void>;
  timeline(incidentId: string): Promise<TimelineRecord[]>;
}

export interface ServiceLocks {
  /**
   * Runs fn holding the service's advisory lock (one rollback step per service at
   * a time across replicas). Returns { ran: false } at once if another holds it.
   */
  withServiceLock<T>(service: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
}

/** Deployments seen and last known good (the runbook's table), newest first. */
export interface DeploymentRecords {
  recordDeployment(deployment: DeploymentRecord): Promise<void>;
  deployments(service: string, limit: number): Promise<DeploymentRecord[]>;
  markLastKnownGood(service: string, deploymentId: string, at: Date, notes?: string): Promise<void>;
}

/** The post-rollback checklist of each incident. */
export interface FollowUpRecords {
  /** The post-rollback checklist of an incident in the runbook's order; empty before it was started. */
  followUps(incidentId: string): Promise<FollowUpItem[]>;
  /** Stores the checklist unless the incident has one already; returns what is stored. */
  startFollowUps(incidentId: string, items: readonly FollowUpItem[]): Promise<FollowUpItem[]>;
  /**
   * Reads, changes and writes an incident's checklist in one transaction with
   * its rows locked, so two clicks at once never lose one. `change` may throw
   * to refuse; nothing is written then.
   */
  changeFollowUps(
    incidentId: string,
    change: (items: FollowUpItem[]) => FollowUpItem[],
  ): Promise<{ before: FollowUpItem[]; after: FollowUpItem[] }>;
  /** Incidents with an open item whose deadline (and snooze) passed at `at`. */
  incidentsWithDueFollowUps(at: Date): Promise<string[]>;
  /** Open items of every incident, soonest deadline first. */
  openFollowUps(limit: number): Promise<OpenFollowUp[]>;
}

/** What the runbook's metrics are computed from (joins over steps, deployments and archive facts). */
export interface MetricsFacts {
  /** The incidents the metrics of [from, to) are computed from, and the deployments made in it. */
  metricsInputs(options: {
    service?: string;
    from: Date;
    to: Date;
  }): Promise<{ incidents: MetricsInput[]; deployments: number }>;
  /** The feature-flag actions of [from, to), for the metrics' flag figures. */
  flagActions(options: { service?: string; from: Date; to: Date }): Promise<FlagActionFact[]>;
  metricsInput(incidentId: string): Promise<MetricsInput | undefined>;
}

/** The roles the incident engine (src/rollback/incident) uses: all but the checklist and the metrics' facts. */
export type EngineStore = IncidentRecords &
  StepRecords &
  ApprovalRecords &
  IncidentTimeline &
  ServiceLocks &
  DeploymentRecords;

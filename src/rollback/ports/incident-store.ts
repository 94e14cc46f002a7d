/**
 * What the incident engine needs from storage. The PostgreSQL adapter lives in
 * src/store/incident-store.ts; every method is one short transaction, and the
 * state-changing ones are compare-and-set so two replicas never both win.
 */
import type { FlagActionFact } from './flags';
import type { IncidentState } from '../incident/incident-state';
import type { RollbackKind } from '../incident/plan';
import type { StepKind, StepState } from '../incident/step-state';
import type { ApprovedAction } from './approval';
import type { FollowUpItem } from '../follow-up/checklist';
import type { ArchiveFact } from '../metrics/incident-times';

/** What was asked, as parsed from /rollback, the modal, a button or an alert. */
export interface RollbackRequestData {
  kind: RollbackKind;
  /** Application: deployment id / URL / commit / version; revert/reset: commit; schema: migration name. */
  target?: string;
  reason?: string;
}

export interface IncidentData {
  request: RollbackRequestData;
  /** Slack user id of the person (or "alert:<source>") who asked. */
  requestedBy: string;
  /** Who owns the rollback in the messages (the runbook's "Owner"). */
  owner: string;
  /** Human summary of the target once resolved, e.g. "1.9.0 (commit b7920c6)". */
  targetSummary?: string;
  /** Set once the outage drafts (status page, email) were posted. */
  draftsPosted?: boolean;
  /** The hotfix question's state (decision tree), as the domain stores it. */
  hotfix?: unknown;
  /** Free facts for messages: versions, commits, archive names, failing check... */
  facts?: Record<string, unknown>;
  /** What detection and the start of impact were taken from (set when the bot detected it). */
  evidence?: IncidentEvidence;
}

/** Where an incident's instants came from: the rule that fired and its own evidence. */
export interface IncidentEvidence {
  /** go_live: the failing condition held since the deployment went live; detection: no earlier evidence. */
  impact: 'go_live' | 'alert_starts_at' | 'first_failing_probe' | 'alert_notification' | 'detection';
  /** "Alertmanager HighHttp5xxRate", "the sign-in probe": what the rule fired on. */
  detectedFrom: string;
}

export interface IncidentRecord {
  id: string;
  service: string;
  state: IncidentState;
  severity?: 'must' | 'should' | 'may';
  issue: string;
  trigger: string;
  openedBy?: string;
  openedAt: Date;
  impactStartedAt?: Date;
  detectedAt?: Date;
  decidedAt?: Date;
  restoredAt?: Date;
  closedAt?: Date;
  channelId?: string;
  threadTs?: string;
  data: IncidentData;
}

export interface NewIncident {
  id: string;
  service: string;
  issue: string;
  trigger: string;
  severity?: 'must' | 'should' | 'may';
  openedBy: string;
  openedAt: Date;
  impactStartedAt?: Date;
  detectedAt?: Date;
  decidedAt?: Date;
  channelId: string;
  data: IncidentData;
}

export interface StepError {
  code: string;
  message: string;
  fix?: string;
}

export interface StepRecord {
  id: string;
  incidentId: string;
  position: number;
  kind: StepKind;
  state: StepState;
  input: Record<string, unknown>;
  output?: Record<string, unknown>;
  error?: StepError;
  attempts: number;
  claimedBy?: string;
  startedAt?: Date;
  finishedAt?: Date;
  updatedAt: Date;
  /** The fencing token of the worker that runs it now (a new one on each start or takeover). */
  leaseToken?: string;
  /** Until when that worker's lease holds unless renewed; after it, the step may be reconciled. */
  leaseExpiresAt?: Date;
}

export interface NewStep {
  position: number;
  kind: StepKind;
  state: StepState;
  input: Record<string, unknown>;
}

export interface ApprovalRecord {
  id: string;
  incidentId: string;
  stepId: string;
  action: ApprovedAction;
  requestedBy: string;
  requestedAt: Date;
  expiresAt: Date;
  decision: 'pending' | 'approved' | 'rejected' | 'expired';
  decidedBy?: string;
  decidedAt?: Date;
  messageTs?: string;
}

export interface TimelineRecord {
  id: string;
  incidentId?: string;
  service?: string;
  at: Date;
  actor: string;
  kind: string;
  message: string;
  data: Record<string, unknown>;
}

export interface NewTimelineEntry {
  incidentId?: string;
  service?: string;
  at?: Date;
  actor: string;
  kind: string;
  message: string;
  data?: Record<string, unknown>;
}

export type IncidentPatch = Partial<
  Pick<IncidentRecord, 'state' | 'issue' | 'trigger' | 'severity' | 'decidedAt' | 'restoredAt' | 'closedAt' | 'threadTs' | 'impactStartedAt' | 'detectedAt'>
> & { data?: Partial<IncidentData> };

export interface StepPatch {
  input?: Record<string, unknown>;
  output?: Record<string, unknown>;
  error?: StepError | null;
  claimedBy?: string | null;
  startedAt?: Date;
  finishedAt?: Date;
  /** Adds one to attempts (when a run starts). */
  countAttempt?: boolean;
  /** Takes a fresh lease of this many ms under a new fencing token (a start, or a takeover). */
  leaseMs?: number;
  /** Fencing: the write happens only while this token is the step's (no other worker took it over). */
  fence?: string;
  /** A takeover: the write happens only when the step's current lease has expired. */
  onlyIfLeaseExpired?: boolean;
  /** Ends the lease now (a parked step: the next worker may reconcile it at once). */
  releaseLease?: boolean;
}

export interface IncidentStore {
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
  moveIncident(id: string, from: IncidentState, to: IncidentState, patch?: IncidentPatch, record?: NewTimelineEntry): Promise<IncidentRecord | undefined>;

  steps(incidentId: string): Promise<StepRecord[]>;
  getStep(id: string): Promise<StepRecord | undefined>;
  /** Adds steps after the existing ones (e.g. a deploy after a revert). */
  addSteps(incidentId: string, steps: NewStep[]): Promise<StepRecord[]>;
  /**
   * Compare-and-set of one step's state: undefined when another replica moved it first.
   * `record`, the timeline entry of the move, is written in the same transaction, only
   * when the move happens.
   */
  moveStep(id: string, from: StepState, to: StepState, patch?: StepPatch, record?: NewTimelineEntry): Promise<StepRecord | undefined>;
  /**
   * Claims up to `limit` steps that may run now: state pending or approved, of an
   * open incident, every earlier step of the incident succeeded, not claimed by a
   * live worker. Uses FOR UPDATE SKIP LOCKED and sets claimed_by = worker.
   */
  claimRunnable(worker: string, limit: number): Promise<StepRecord[]>;
  /** Steps found running whose lease expired (their worker died, lost its database or parked them), for reconciliation. */
  runningSteps(): Promise<StepRecord[]>;
  /** The heartbeat: extends the lease while `token` still holds it; false once it was lost. */
  renewLease(stepId: string, token: string, leaseMs: number): Promise<boolean>;

  createApproval(approval: Omit<ApprovalRecord, 'decision' | 'decidedBy' | 'decidedAt'>): Promise<ApprovalRecord>;
  getApproval(id: string): Promise<ApprovalRecord | undefined>;
  approvalsFor(incidentId: string): Promise<ApprovalRecord[]>;
  /** Compare-and-set from 'pending': undefined when it was already decided. */
  decideApproval(id: string, decision: 'approved' | 'rejected' | 'expired', by: string | undefined, at: Date): Promise<ApprovalRecord | undefined>;
  setApprovalMessage(id: string, messageTs: string): Promise<void>;
  /** Pending approvals whose expiry has passed. */
  expiredApprovals(at: Date): Promise<ApprovalRecord[]>;

  appendTimeline(entry: NewTimelineEntry): Promise<void>;
  timeline(incidentId: string): Promise<TimelineRecord[]>;

  /**
   * Runs fn holding the service's advisory lock (one rollback step per service at
   * a time across replicas). Returns { ran: false } at once if another holds it.
   */
  withServiceLock<T>(service: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;

  /** Deployments seen and last known good (the runbook's table), newest first. */
  recordDeployment(deployment: DeploymentRecord): Promise<void>;
  deployments(service: string, limit: number): Promise<DeploymentRecord[]>;
  markLastKnownGood(service: string, deploymentId: string, at: Date, notes?: string): Promise<void>;

  /** The post-rollback checklist of an incident in the runbook's order; empty before it was started. */
  followUps(incidentId: string): Promise<FollowUpItem[]>;
  /** Stores the checklist unless the incident has one already; returns what is stored. */
  startFollowUps(incidentId: string, items: readonly FollowUpItem[]): Promise<FollowUpItem[]>;
  /**
   * Reads, changes and writes an incident's checklist in one transaction with
   * its rows locked, so two clicks at once never lose one. `change` may throw
   * to refuse; nothing is written then.
   */
  changeFollowUps(incidentId: string, change: (items: FollowUpItem[]) => FollowUpItem[]): Promise<{ before: FollowUpItem[]; after: FollowUpItem[] }>;
  /** Incidents with an open item whose deadline (and snooze) passed at `at`. */
  incidentsWithDueFollowUps(at: Date): Promise<string[]>;
  /** Open items of every incident, soonest deadline first. */
  openFollowUps(limit: number): Promise<OpenFollowUp[]>;
  /** The incidents the metrics of [from, to) are computed from, and the deployments made in it. */
  metricsInputs(options: { service?: string; from: Date; to: Date }): Promise<{ incidents: MetricsInput[]; deployments: number }>;
  flagActions(options: { service?: string; from: Date; to: Date }): Promise<FlagActionFact[]>;
  metricsInput(incidentId: string): Promise<MetricsInput | undefined>;
}

/** One incident with what its metrics need beyond its own record. */
export interface MetricsInput {
  incident: IncidentRecord;
  /** When the deployment live at detection started serving, when the bot knows. */
  deployedAt?: Date;
  archives: ArchiveFact[];
}

interface OpenFollowUp {
  incidentId: string;
  service: string;
  item: FollowUpItem;
}

/**
 * An approval a new incident's plan needs, stored with the incident in one
 * transaction (a crash cannot leave a step waiting on an approval nobody was asked for).
 */
export interface NewIncidentApproval {
  /** Position of the plan step it unlocks. */
  position: number;
  approval: Omit<ApprovalRecord, 'incidentId' | 'stepId' | 'decision' | 'decidedBy' | 'decidedAt' | 'messageTs'>;
  /** Its "approval requested" timeline entry. */
  record: Omit<NewTimelineEntry, 'incidentId'>;
}

export interface DeploymentRecord {
  service: string;
  deploymentId: string;
  url?: string;
  commitSha?: string;
  version?: string;
  firstSeenAt?: Date;
  servedFrom?: Date;
  servedUntil?: Date;
  lastKnownGoodAt?: Date;
  notes?: string;
}

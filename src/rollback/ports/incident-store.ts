/**
 * What the incident engine stores, as records, and the whole store port. The
 * PostgreSQL adapter lives in src/store/incident-store.ts; every method is one
 * short transaction, and the state-changing ones are compare-and-set so two
 * replicas never both win. The methods are grouped in role-sized ports in
 * ./store-roles, each with an in-memory fake under test/support/memory-store.
 */
import type { IncidentState } from '../incident/incident-state';
import type { RollbackKind } from '../incident/plan';
import type { StepKind, StepState } from '../incident/step-state';
import type { ApprovedAction } from './approval';
import type { FollowUpItem } from '../follow-up/checklist';
import type { ArchiveFact } from '../metrics/incident-times';
import type { FlagSwitchClaims } from './flags';
import type {
  ApprovalRecords,
  DeploymentRecords,
  FollowUpRecords,
  IncidentRecords,
  IncidentTimeline,
  MetricsFacts,
  ServiceLocks,
  StepRecords,
} from './store-roles';

export type * from './store-roles';

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
  /** Features the alerts that opened it name in labels or annotations (feature, flag...), for "Disable <flag>". */
  features?: string[];
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
  Pick<
    IncidentRecord,
    | 'state'
    | 'issue'
    | 'trigger'
    | 'severity'
    | 'decidedAt'
    | 'restoredAt'
    | 'closedAt'
    | 'threadTs'
    | 'impactStartedAt'
    | 'detectedAt'
  >
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

/**
 * The whole store, as the wiring builds it: the intersection of the role-sized
 * ports in ./store-roles. Code that needs less takes only its roles (the
 * engine's are `EngineStore`), and tests give it the in-memory fakes of them.
 */
export interface IncidentStore
  extends
    IncidentRecords,
    StepRecords,
    ApprovalRecords,
    IncidentTimeline,
    ServiceLocks,
    DeploymentRecords,
    FollowUpRecords,
    MetricsFacts,
    FlagSwitchClaims {}

/** One incident with what its metrics need beyond its own record. */
export interface MetricsInput {
  incident: IncidentRecord;
  /** When the deployment live at detection started serving, when the bot knows. */
  deployedAt?: Date;
  archives: ArchiveFact[];
}

export interface OpenFollowUp {
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

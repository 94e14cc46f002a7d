/**
 * The plain data each message builder renders. The engine fills these from
 * its records; builders never read the store or config, so every message can
 * be shown, tested and snapshotted from a literal. Ids are plain strings as
 * stored; user fields take Slack user ids (anything else, such as
 * "alert:grafana", is shown as text rather than a mention).
 */
import type { FlagOffer } from './flag-switched';
import type { HotfixQuestion } from '../../rollback/incident/decision-tree';
import type { RollbackKind, RollbackPlan } from '../../rollback/incident/plan';
import type { StepKind, StepState } from '../../rollback/incident/step-state';
import type { LossEstimate } from '../../rollback/ports/schema';

export interface ServiceRef {
  name: string;
  displayName?: string;
}

export interface IncidentRef {
  id: string;
  /** A link to the incident (ticket or the Slack thread), when there is one. */
  url?: string;
}

/** What production goes back to; any part may be unknown. Commits are shortened to 7 characters. */
export interface TargetRef {
  version?: string;
  commit?: string;
  deploymentId?: string;
  migration?: string;
}

/** The time zone every time in a message is written in (the service's working-hours zone). */
interface Zoned {
  timeZone: string;
}

export interface RollbackInProgressView extends Zoned {
  incident: IncidentRef;
  service: ServiceRef;
  kind: RollbackKind;
  /** The runbook's "Issue": a brief description. */
  issue: string;
  /** The runbook's "Trigger": what broke, or the alert that fired. */
  trigger: string;
  target: TargetRef;
  etaMinutes: number;
  /** The runbook's "Owner". */
  owner: string;
  startedAt: Date;
}

export interface CheckResult {
  name: string;
  passed: boolean;
  status?: number;
  latencyMs?: number;
  detail?: string;
}

export interface StepProgress {
  position: number;
  kind: StepKind;
  state: StepState;
  label: string;
  /** e.g. "instant rollback: 3 aliases moved". */
  detail?: string;
  checks?: readonly CheckResult[];
  startedAt?: Date;
  finishedAt?: Date;
  error?: { message: string; fix?: string };
}

export interface ProgressView extends Zoned {
  incident: IncidentRef;
  service: ServiceRef;
  steps: readonly StepProgress[];
  updatedAt: Date;
}

export interface RollbackCompleteView extends Zoned {
  incident: IncidentRef;
  service: ServiceRef;
  target: TargetRef;
  /** Default: the runbook's "All systems operational". */
  status?: string;
  postMortemAt?: Date;
  nextSteps?: readonly string[];
  /** Present after an instant rollback: production is pinned, and the message offers Unpin. */
  pinned?: boolean;
  restoredAt: Date;
  /** The runbook's metrics of this incident, as src/rollback/metrics computes them for every surface. */
  detectionMs?: number;
  /** Decision to production restored: the runbook's "Rollback Execution Time". */
  executionMs?: number;
  downtimeMs?: number;
  dataLossRows?: number;
}

export interface RollbackFailedView extends Zoned {
  incident: IncidentRef;
  service: ServiceRef;
  /** unknown: the bot could not confirm whether the last step took effect. */
  outcome: 'failed' | 'unknown';
  done: readonly string[];
  notDone: readonly string[];
  failingStep?: { label: string; error: string; fix?: string };
  whatToDoNow: readonly string[];
  owner?: string;
  at: Date;
}

type ApprovalState =
  { status: 'pending' } | { status: 'approved' | 'rejected'; by: string; at: Date } | { status: 'expired'; at: Date };

/** One table or column a schema rollback would drop (the schema worker's LossEstimate). */
export type DataLossLine = LossEstimate;

export interface ApprovalRequestView extends Zoned {
  approvalId: string;
  incident: IncidentRef;
  service: ServiceRef;
  /** reset: git Option B; schema: schema migration rollback. */
  kind: 'reset' | 'schema';
  /** The commit (reset) or migration (schema). */
  target: string;
  planSteps: readonly string[];
  /** Undefined while the estimate is being prepared: Approve is withheld until it is ready. */
  dataLoss?: readonly DataLossLine[];
  dataLossNote?: string;
  /** Alternatives, risks, blockers from the schema plan. */
  notes?: readonly string[];
  requestedBy: string;
  reason?: string;
  requestedAt: Date;
  expiresAt: Date;
  state: ApprovalState;
  /** The command that asks again once this request expired, e.g. "/rollback schema app 2026_x". */
  retryCommand: string;
  /** Schema only: flags the incident names, offered as the runbook's preferred alternative. */
  flags?: readonly FlagOffer[];
  /** Schema only: every flag of the service, for the command when none is named. */
  flagNames?: readonly string[];
}

export interface HotfixQuestionView extends Zoned {
  incident: IncidentRef;
  service: ServiceRef;
  question: HotfixQuestion;
  /** Flags the alert names: each gets "Disable <flag>" next to "Roll back now". */
  flags?: readonly FlagOffer[];
}

/** Structurally the engine's DryRun, so its result can be passed as it is. */
export interface PlanReplyView {
  service: string;
  plan: RollbackPlan;
  target: string;
  alreadyLive: boolean;
  migrationsBetween: readonly string[];
  dataLoss: readonly DataLossLine[];
  notes: readonly string[];
}

export interface ServiceStatusView extends Zoned {
  service: ServiceRef;
  /**
   * versionNote: why its version is unknown (a deployment URL behind Deployment Protection), with the setting to add.
   */
  production?: TargetRef & { url?: string; deployedAt?: Date; deployedBy?: string; versionNote?: string };
  /** Why production could not be read (Vercel down...), shown instead of it. */
  productionError?: string;
  /** The target a rollback would choose now, and why (e.g. "last known good since Jan 16"). */
  wouldRollBackTo?: TargetRef & { why?: string };
  /** Present when an earlier instant rollback pinned production (new pushes do not reach it). */
  pinned?: {
    since?: Date;
    incidentId?: string;
    /** What Unpin would promote (typically the fix). */ unpinWith?: TargetRef;
  };
  openIncident?: {
    id: string;
    url?: string;
    state: string;
    openedAt: Date;
    issue?: string;
    /** e.g. "thread not delivered: not_in_channel (fix: …)" */ threadProblem?: string;
  };
  /** What this service cannot do until a variable is set, each naming it (config/credentials). */
  unavailable?: readonly string[];
}

export interface HistoryRow {
  version?: string;
  commit?: string;
  date?: Date;
  notes?: string;
  current?: boolean;
  lastKnownGood?: boolean;
}

export interface HistoryView extends Zoned {
  service: ServiceRef;
  /** Newest first, as the runbook's table. */
  rows: readonly HistoryRow[];
}

export interface OutageDraftsView extends Zoned {
  incident: IncidentRef;
  service: ServiceRef;
  /** The product users know, e.g. "Dr Amal". */
  productName: string;
  /** The status page's "[feature]". */
  feature: string;
  /** The email's "[issue description]". */
  issueDescription: string;
  /** The email's "Impact: [Describe what users couldn't do]". */
  impact: string;
  startedAt: Date;
  /** Absent while the outage goes on. */
  endedAt?: Date;
  /** When the drafts were made; the downtime of an ongoing outage is counted to here. */
  asOf: Date;
  /** The measured figure (src/rollback/metrics dataLossWords), never a fixed "None". */
  dataLoss: string;
}

export interface CtoNoticeView extends Zoned {
  incident: IncidentRef;
  service: ServiceRef;
  kind: RollbackKind;
  target: TargetRef;
  executedBy: string;
  reason?: string;
  at: Date;
  /** e.g. "mon-fri 09:00-18:00 America/New_York". */
  workingHours?: string;
}

/** The modal's "what": application (Vercel), code revert (git Option A) or schema. */
export type ModalWhat = 'application' | 'revert' | 'schema';

export interface RollbackModalView {
  services: readonly ServiceRef[];
  initial?: { service?: string; what?: ModalWhat; target?: string; reason?: string };
  /** Returned with view_submission, e.g. the channel the command came from. */
  privateMetadata?: string;
}

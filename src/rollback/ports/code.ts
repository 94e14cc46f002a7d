/**
 * Code rollback as the incident engine sees it: the runbook's "Git Revert"
 * section (Option A revert, Option B reset) plus the git facts other steps
 * need (branch head, migrations between two commits, a migrations folder at a
 * commit). The git adapter in src/git implements it; the engine never sees git.
 *
 * Commit ids arrive as user text (Slack) and are validated by the
 * implementation: 7-40 hex and an ancestor of the deploy branch head, or a
 * RollbackError('bad_input').
 */
import type { CommitSha, IncidentId, MigrationName, ServiceName, SlackUserId } from '../ids';
import type { RecordedApproval } from './approval';
import type { ChecksSummary, ReviewState } from './pull-request';

/** Why a git step failed, in RollbackError.details.reason. */
export type GitFailureReason =
  | 'remote_unreachable'
  | 'auth_failed'
  | 'protected_branch'
  | 'non_fast_forward'
  | 'merge_conflict'
  | 'nothing_to_revert'
  | 'pull_request_closed'
  | 'git_failed';

export interface CommitSummary {
  readonly sha: CommitSha;
  readonly shortSha: string;
  readonly subject: string;
  readonly author: string;
  readonly committedAt: Date;
  readonly parents: readonly CommitSha[];
  readonly isMerge: boolean;
  /** The commit production runs (as handed in). */
  readonly isProduction: boolean;
  /** The last known good commit (as handed in). */
  readonly isLastKnownGood: boolean;
  /** Set when this commit is the bot's own rollback commit for that incident. */
  readonly rollbackIncident?: string;
}

export interface ListCommitsInput {
  readonly service: ServiceName;
  /** Default 10, as the runbook's `git log --oneline -10`; at most 100. */
  readonly limit?: number;
  readonly productionSha?: CommitSha;
  readonly lastKnownGoodSha?: CommitSha;
}

/** One commit, or an inclusive range along the branch's first-parent line, reverted in one commit. */
export type RevertTarget = { readonly commit: string } | { readonly oldest: string; readonly newest: string };

export interface RevertInput {
  readonly service: ServiceName;
  readonly incidentId: IncidentId;
  readonly requestedBy: SlackUserId;
  readonly target: RevertTarget;
  /** What a revert pull request's description tells reviewers (git.via: pull-request). */
  readonly context?: RevertContext;
  /** Called when the revert pull request changes (opened, checks, review, merged); the thread shows it. */
  readonly onProgress?: (progress: PullRequestProgress) => Promise<void>;
}

export interface RevertContext {
  /** Who asked, as people know them (display name or Slack mention). */
  readonly requester?: string;
  readonly reason?: string;
  /** The incident's timeline so far, one line per entry. */
  readonly timeline?: readonly string[];
}

/** A revert pull request as the thread shows it while it waits to be merged. */
export interface PullRequestProgress {
  readonly number: number;
  readonly url: string;
  readonly state: 'open' | 'merged' | 'closed';
  readonly mergeMode: 'auto' | 'immediate' | 'manual';
  readonly autoMerge: boolean;
  readonly checks: ChecksSummary;
  readonly review: ReviewState;
  /** Why it waits for a person, when it does (GitHub's reason for refusing a merge). */
  readonly waitingFor?: string;
}

export interface PushedCommit {
  /**
   * The bot's commit for this request (revert, migration removal) or the reset target; on 'already-done', the earlier
   * one.
   */
  readonly commit: CommitSha;
  /** The deploy branch head on the remote after this call: the commit to deploy. */
  readonly head: CommitSha;
  /** The branch head before this call (equal to `head` on 'already-done'). */
  readonly previousHead: CommitSha;
  /**
   * The service's working tree, checked out at `head`; hand it to the
   * deployment step. Valid until the next git action for this service.
   */
  readonly workTree: string;
  /** 'done' when this call pushed; 'already-done' when an earlier call for the same incident had. */
  readonly status: 'done' | 'already-done';
}

export interface RevertResult extends PushedCommit {
  /** Full shas of the commits reverted, newest first. */
  readonly reverted: readonly CommitSha[];
  /** Set when the push raced another push and the revert was redone on the new head. */
  readonly redoneAfterRace: boolean;
  /** The pull request the revert went through (git.via: pull-request). */
  readonly pullRequest?: PullRequestProgress;
}

export interface ResetInput {
  readonly service: ServiceName;
  readonly incidentId: IncidentId;
  readonly requestedBy: SlackUserId;
  /** The last known good commit the branch is reset to. */
  readonly target: string;
  /** Must be a recorded CTO approval for action 'git-reset' of this incident. */
  readonly approval: RecordedApproval | undefined;
}

export interface ResetResult extends PushedCommit {
  /** Commits that were on the branch and are no longer (newest first). */
  readonly discarded: readonly CommitSha[];
}

export interface OwnRevert {
  readonly commit: CommitSha;
  readonly incidentId: string;
  readonly reverted: readonly CommitSha[];
  readonly removedMigrations: readonly MigrationName[];
}

export interface MigrationsDiff {
  /** Migration folders present at `from` and absent at `to` (sorted). */
  readonly onlyAtFrom: readonly MigrationName[];
  /** Migration folders present at `to` and absent at `from` (sorted). */
  readonly onlyAtTo: readonly MigrationName[];
}

export interface ExportedMigrations {
  /** A temporary folder holding the migrations folder's content at the commit. */
  readonly dir: string;
  readonly commit: CommitSha;
  /**
   * Migration folders absent at `commit` but on the deploy branch head or in
   * its history (e.g. after an application rollback to an older commit); the
   * schema planner is given it with the folder.
   */
  readonly elsewhere?: ElsewhereManifest;
  /** Deletes the temporary folder. */
  cleanup(): Promise<void>;
}

/** Where a migration.sql absent at the exported commit was found in git. */
export interface MigrationSqlVersion {
  /** branch-head: the folder on the deploy branch head; added: a commit that added the folder. */
  readonly origin: 'branch-head' | 'added';
  readonly commit: CommitSha;
  /** Its migration.sql, copied into the export's temporary folder (absolute path). */
  readonly file: string;
}

export interface MigrationElsewhere {
  readonly name: MigrationName;
  /** Added by a commit that the exported commit does not contain: newer than what it serves. */
  readonly newerThanCommit: boolean;
  /** Branch head first, then the commits that added it, newest first. */
  readonly versions: readonly MigrationSqlVersion[];
}

/** What an export found in git beyond the exported commit (ExportedMigrations.elsewhere). */
export interface ElsewhereManifest {
  /** The exported commit. */
  readonly commit: CommitSha;
  readonly branchHead: CommitSha;
  readonly migrations: readonly MigrationElsewhere[];
}

export interface RemoveMigrationInput {
  readonly service: ServiceName;
  readonly migration: string;
  readonly incidentId: IncidentId;
  readonly requestedBy: SlackUserId;
}

export interface CodeRollbackPort {
  /** Recent commits of the deploy branch, newest first, production and last known good marked. */
  listCommits(input: ListCommitsInput): Promise<CommitSummary[]>;
  /**
   * Rejects, naming what to set, when the adapter cannot act for the service (a credential unset); checked before an
   * incident opens.
   */
  checkAvailable?(service: ServiceName): Promise<void>;
  /** Option A: revert (merge commits against their first parent), commit, push; redo once on a push race. */
  revert(input: RevertInput): Promise<RevertResult>;
  /** Option B: reset to the target and push with a lease; refused without a matching recorded approval. */
  reset(input: ResetInput): Promise<ResetResult>;
  /** The deploy branch head on the remote (fetched now). */
  branchHead(service: ServiceName): Promise<CommitSha>;
  /** The bot's own rollback commit for the incident on the deploy branch, for crash reconciliation. */
  findOwnRevert(service: ServiceName, incidentId: IncidentId): Promise<OwnRevert | undefined>;
  migrationsBetween(service: ServiceName, from: CommitSha, to: CommitSha): Promise<MigrationsDiff>;
  /** The service's migrations folder as it was at `commit`, copied into a temporary folder. */
  exportMigrations(service: ServiceName, commit: CommitSha): Promise<ExportedMigrations>;
  /** Commits the removal of one migration folder on the deploy branch and pushes it. */
  removeMigration(input: RemoveMigrationInput): Promise<PushedCommit>;
}

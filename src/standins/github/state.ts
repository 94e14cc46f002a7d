/**
 * The GitHub stand-in's world: repositories backed by real bare git
 * repositories, their pull requests, check runs, commit statuses, reviews,
 * issues and comments, and branch protection. Tests act as people and CI
 * through its methods (merge, close, approve, report a check).
 */
import { BareRepo } from './bare-repo';
import { type RepoFacts, newId } from './shapes';

export interface Protection {
  /** Check or status names that must pass before a merge. */
  readonly requiredChecks: readonly string[];
  readonly requiredApprovals: number;
}

export interface StandinPull {
  readonly id: number;
  readonly number: number;
  title: string;
  body: string;
  readonly head: string;
  readonly base: string;
  headSha: string;
  state: 'open' | 'closed';
  merged: boolean;
  mergeSha: string | null;
  mergedBy: string | null;
  closedAt: string | null;
  mergedAt: string | null;
  readonly createdAt: string;
  updatedAt: string;
  readonly author: string;
  autoMerge: { method: 'merge' | 'squash'; enabledBy: string } | null;
}

export interface StandinCheckRun {
  readonly id: number;
  readonly sha: string;
  readonly name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required' | null;
  title: string | null;
  summary: string | null;
  readonly startedAt: string;
  completedAt: string | null;
}

export interface StandinStatus {
  readonly id: number;
  readonly sha: string;
  readonly context: string;
  readonly state: 'error' | 'failure' | 'pending' | 'success';
  readonly description: string | null;
  readonly targetUrl: string | null;
  readonly createdAt: string;
}

export interface StandinReview {
  readonly id: number;
  readonly pull: number;
  readonly user: string;
  readonly state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED';
  readonly commitId: string;
  readonly body: string;
}

export interface StandinIssue {
  readonly id: number;
  readonly number: number;
  title: string;
  body: string | null;
  labels: string[];
  state: 'open' | 'closed';
  readonly createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  readonly author: string;
}

export interface StandinComment {
  readonly id: number;
  readonly issue: number;
  readonly body: string;
  readonly author: string;
  readonly createdAt: string;
}

export class StandinRepo {
  readonly facts: RepoFacts;
  readonly git: BareRepo;
  readonly pulls: StandinPull[] = [];
  readonly checkRuns: StandinCheckRun[] = [];
  readonly statuses: StandinStatus[] = [];
  readonly reviews: StandinReview[] = [];
  readonly issues: StandinIssue[] = [];
  readonly comments: StandinComment[] = [];
  readonly protection = new Map<string, Protection>();
  /** Whether the repository allows auto-merge (a repository setting on GitHub). */
  allowAutoMerge = true;
  private numbers = 0;

  constructor(
    owner: string,
    name: string,
    gitDir: string,
    private readonly now: () => Date,
  ) {
    this.git = new BareRepo(gitDir);
    this.facts = { id: newId(), owner, name, defaultBranch: 'main', createdAt: now().toISOString() };
  }

  get fullName(): string {
    return `${this.facts.owner}/${this.facts.name}`;
  }

  /** Pull requests and issues share one numbering, as on GitHub. */
  nextNumber(): number {
    this.numbers += 1;
    return this.numbers;
  }

  stamp(): string {
    return this.now().toISOString();
  }

  protect(branch: string, rule: Partial<Protection> = {}): void {
    this.protection.set(branch, {
      requiredChecks: rule.requiredChecks ?? [],
      requiredApprovals: rule.requiredApprovals ?? 0,
    });
    this.git.protect([...this.protection.keys()]);
  }

  unprotect(branch: string): void {
    this.protection.delete(branch);
    this.git.protect([...this.protection.keys()]);
  }

  pull(number: number): StandinPull | undefined {
    return this.pulls.find((p) => p.number === number);
  }

  /** The latest check run per name and the latest status per context on a commit. */
  checksOn(sha: string): { runs: StandinCheckRun[]; statuses: StandinStatus[] } {
    const runs = new Map<string, StandinCheckRun>();
    for (const run of this.checkRuns) if (run.sha === sha) runs.set(run.name, run);
    const statuses = new Map<string, StandinStatus>();
    for (const status of this.statuses) if (status.sha === sha) statuses.set(status.context, status);
    return { runs: [...runs.values()], statuses: [...statuses.values()] };
  }

  /** Why the pull request may not be merged now (GitHub's 405 words), or undefined. */
  mergeBlocker(pull: StandinPull): string | undefined {
    const rule = this.protection.get(pull.base);
    if (!rule) return undefined;
    const { runs, statuses } = this.checksOn(pull.headSha);
    for (const name of rule.requiredChecks) {
      const run = runs.find((r) => r.name === name);
      const status = statuses.find((s) => s.context === name);
      const passed =
        (run && run.status === 'completed' && ['success', 'neutral', 'skipped'].includes(run.conclusion ?? '')) ||
        status?.state === 'success';
      if (!passed)
        return run || status
          ? `Required status check "${name}" is failing.`
          : `Required status check "${name}" is expected.`;
    }
    const approvals = new Set(
      this.reviews.filter((r) => r.pull === pull.number && r.state === 'APPROVED').map((r) => r.user),
    );
    if (approvals.size < rule.requiredApprovals)
      return `At least ${rule.requiredApprovals} approving review is required by reviewers with write access.`;
    return undefined;
  }

  /** Merges as GitHub does; returns the 405/409 reason when it cannot. */
  mergePull(
    pull: StandinPull,
    method: 'merge' | 'squash',
    by: string,
  ): { sha: string } | { status: 405 | 409; message: string } {
    if (pull.state !== 'open') return { status: 405, message: 'Pull Request is not mergeable' };
    const blocker = this.mergeBlocker(pull);
    if (blocker) return { status: 405, message: blocker };
    const message =
      method === 'merge'
        ? `Merge pull request #${pull.number} from ${this.facts.owner}/${pull.head}\n\n${pull.title}`
        : `${pull.title} (#${pull.number})\n\n${pull.body}`;
    const sha = this.git.merge({ base: pull.base, head: pull.headSha, method, message });
    if (!sha) return { status: 405, message: 'Pull Request is not mergeable' };
    const at = this.stamp();
    Object.assign(pull, {
      merged: true,
      mergeSha: sha,
      mergedBy: by,
      mergedAt: at,
      closedAt: at,
      updatedAt: at,
      state: 'closed' as const,
      autoMerge: null,
    });
    return { sha };
  }

  /** Auto-merge: every open pull request with it enabled merges once nothing blocks it. */
  settleAutoMerges(): void {
    for (const pull of this.pulls) {
      if (pull.state === 'open' && pull.autoMerge && !this.mergeBlocker(pull))
        this.mergePull(pull, pull.autoMerge.method, pull.autoMerge.enabledBy);
    }
  }

  /** CI reports on a commit (a check run); auto-merges that waited for it go ahead. */
  reportCheck(
    sha: string,
    name: string,
    conclusion: StandinCheckRun['conclusion'],
    output: { title?: string; summary?: string } = {},
  ): StandinCheckRun {
    const at = this.stamp();
    const run: StandinCheckRun = {
      id: newId(),
      sha,
      name,
      status: conclusion === null ? 'in_progress' : 'completed',
      conclusion,
      title: output.title ?? null,
      summary: output.summary ?? null,
      startedAt: at,
      completedAt: conclusion === null ? null : at,
    };
    this.checkRuns.push(run);
    this.settleAutoMerges();
    return run;
  }

  reportStatus(
    sha: string,
    context: string,
    state: StandinStatus['state'],
    description: string | null = null,
    targetUrl: string | null = null,
  ): StandinStatus {
    const status: StandinStatus = { id: newId(), sha, context, state, description, targetUrl, createdAt: this.stamp() };
    this.statuses.push(status);
    this.settleAutoMerges();
    return status;
  }

  review(number: number, reviewer: string, state: StandinReview['state'], body = ''): StandinReview {
    const pull = this.pull(number);
    if (!pull) throw new Error(`no pull request #${number}`);
    const review: StandinReview = { id: newId(), pull: number, user: reviewer, state, commitId: pull.headSha, body };
    this.reviews.push(review);
    this.settleAutoMerges();
    return review;
  }

  /** A person closes the pull request without merging it. */
  closePull(number: number): void {
    const pull = this.pull(number);
    if (!pull || pull.state !== 'open') throw new Error(`no open pull request #${number}`);
    const at = this.stamp();
    Object.assign(pull, { state: 'closed' as const, closedAt: at, updatedAt: at, autoMerge: null });
  }
}

/**
 * The pre-deployment checklist's result: one entry per runbook item, each
 * passed, failed or skipped with the reason, so CI can stop a deployment and
 * a person can see why.
 */
import type { CommitSha, ServiceName } from '../ids';

export type CheckId =
  | 'migrations'
  | 'environment'
  | 'deploy-window'
  | 'on-call'
  | 'rollback-target'
  | 'tests'
  | 'typescript'
  | 'rollback-plan'
  | 'deploy-identity'
  | 'alerts-channel';
export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface PreflightCheck {
  readonly id: CheckId;
  /** The runbook's checklist line this check stands for. */
  readonly title: string;
  readonly status: CheckStatus;
  /** What was found (pass), what is wrong (fail) or why it was not checked (skip). */
  readonly detail: string;
  /** What to do about a failure or a skip; absent on a pass. */
  readonly fix?: string;
  /** Lines worth reading under the detail: findings, missing names. */
  readonly notes: readonly string[];
}

export interface PreflightReport {
  readonly service: ServiceName;
  /** The commit about to be deployed, when it could be determined. */
  readonly candidate: CommitSha | undefined;
  /** The commit production runs, when the platform reports it. */
  readonly live: CommitSha | undefined;
  readonly checkedAt: Date;
  readonly checks: readonly PreflightCheck[];
  /** True when no check failed (skips do not fail the checklist). */
  readonly passed: boolean;
  /** What this service cannot do until a variable is set, each naming it; shown above the checks. */
  readonly unavailable?: readonly string[];
}

const CHECK_TITLES: Readonly<Record<CheckId, string>> = {
  migrations: 'Database migrations backward compatible',
  environment: 'Environment variables complete',
  'deploy-window': 'Inside the low-traffic deploy window',
  'on-call': 'On-call engineer set',
  'rollback-target': 'Rollback target exists',
  tests: 'All tests passing',
  typescript: 'TypeScript compilation successful',
  'rollback-plan': 'Rollback plan documented',
  'deploy-identity': "The bot's commits can deploy (committer is a Vercel team member)",
  'alerts-channel': 'The bot is in the alerts channel (incident threads can be posted)',
};

interface Outcome {
  readonly detail: string;
  readonly fix?: string;
  readonly notes?: readonly string[];
}

function check(id: CheckId, status: CheckStatus, outcome: Outcome): PreflightCheck {
  const base = { id, title: CHECK_TITLES[id], status, detail: outcome.detail, notes: outcome.notes ?? [] };
  return outcome.fix === undefined ? base : { ...base, fix: outcome.fix };
}

export const passed = (id: CheckId, outcome: Outcome): PreflightCheck => check(id, 'pass', outcome);
export const failed = (id: CheckId, outcome: Outcome): PreflightCheck => check(id, 'fail', outcome);
export const skipped = (id: CheckId, outcome: Outcome): PreflightCheck => check(id, 'skip', outcome);

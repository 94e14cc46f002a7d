/**
 * Reading rollback targets from Vercel's deployments: what a user's target
 * text names, which deployments match it, and each deployment in the words of
 * the domain's target choice (src/rollback/last-known-good/rollback-target.ts).
 */
import { RollbackError } from '../rollback/errors';
import { type CommitSha, type DeploymentId, isCommitSha, isDeploymentId } from '../rollback/ids';
import type { TargetCandidate } from '../rollback/last-known-good/rollback-target';
import type { DeploymentSummary } from '../rollback/ports/application';
import { sameCommit, sameVersion } from '../probes/app-version';
import type { VercelDeployment } from './schemas';

const COMMIT_META_KEYS = ['githubCommitSha', 'gitlabCommitSha', 'bitbucketCommitSha', 'gitCommitSha'];
const VERSION = /^v?\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.-]+)?$/;

function commitOf(deployment: VercelDeployment): CommitSha | undefined {
  for (const key of COMMIT_META_KEYS) {
    const value = deployment.meta[key]?.toLowerCase();
    if (value && isCommitSha(value)) return value as CommitSha;
  }
  return undefined;
}

function liveSince(deployment: VercelDeployment): { liveSince?: Date } {
  const at = deployment.aliasAssignedAt ?? deployment.readyAt;
  return at === undefined ? {} : { liveSince: new Date(at) };
}

export function toSummary(deployment: VercelDeployment, version?: string): DeploymentSummary {
  return {
    id: deployment.id as DeploymentId,
    url: deployment.url,
    target: deployment.target ?? 'preview',
    state: deployment.state,
    createdAt: new Date(deployment.createdAt),
    ...liveSince(deployment),
    creator: deployment.creator,
    commitSha: commitOf(deployment),
    commitMessage:
      deployment.meta.githubCommitMessage ??
      deployment.meta.gitlabCommitMessage ??
      deployment.meta.bitbucketCommitMessage,
    version,
    rollbackCandidate: servedProduction(deployment),
  };
}

type SpecKind = 'deployment-id' | 'deployment-url' | 'commit' | 'version';

/** What a user's target text names. Versions are checked before URLs: "1.9.0" has dots too. */
export function classifySpec(raw: string): SpecKind {
  const spec = raw.trim();
  if (isDeploymentId(spec)) return 'deployment-id';
  if (VERSION.test(spec)) return 'version';
  if (isCommitSha(spec)) return 'commit';
  if (/^(https?:\/\/)?[a-z0-9-]+(\.[a-z0-9-]+)+\/?$/i.test(spec)) return 'deployment-url';
  throw new RollbackError('bad_input', `"${spec.slice(0, 80)}" does not name a deployment.`, {
    fix:
      'Name the target by deployment id (dpl_…), deployment URL ' +
      '(app-abc123.vercel.app), git commit (7–40 hex characters) or app version ' +
      '(1.9.0).',
  });
}

/**
 * Whether a deployment served production, so Vercel will roll back to it. List items say so
 * with isRollbackCandidate; a single deployment only with readySubstate (STAGED: never served).
 */
function servedProduction(deployment: VercelDeployment): boolean {
  if (deployment.target !== 'production' || deployment.state !== 'READY') return false;
  if (deployment.isRollbackCandidate !== undefined) return deployment.isRollbackCandidate;
  return deployment.readySubstate !== 'STAGED';
}

/** A deployment in the words the domain's target choice needs (rollback-target.ts). */
export function candidateOf(deployment: VercelDeployment): TargetCandidate & { readonly deployment: VercelDeployment } {
  const { id, url, createdAt, state } = deployment;
  return {
    id,
    url,
    createdAt,
    state,
    target: deployment.target ?? 'preview',
    servedProduction: servedProduction(deployment),
    deployment,
  };
}

export function matchesCommit(deployment: VercelDeployment, sha: string): boolean {
  const commit = commitOf(deployment);
  return commit !== undefined && sameCommit(commit, sha);
}

export function matchesVersion(version: string | undefined, wanted: string): boolean {
  return version !== undefined && sameVersion(version, wanted);
}

export function notFound(spec: string, kind: SpecKind, projectId: string): RollbackError {
  const what = {
    'deployment-id': 'deployment',
    'deployment-url': 'deployment URL',
    commit: 'commit',
    version: 'app version',
  }[kind];
  return new RollbackError(
    'not_found',
    `No production deployment of ${projectId} matches ${what} "${spec.slice(0, 80)}".`,
    {
      fix:
        'Run /rollback status to see production and the default target, or name a ' +
        'deployment id from the Vercel dashboard.',
    },
  );
}

/**
 * The rollback target, chosen in one place over plain data. A rollback that
 * names no target goes to the newest last known good that is not serving now
 * (the runbook's "Last Known Good Versions", from the deployments the bot
 * recorded); when none is recorded, to the platform's previous production
 * deployment (the runbook's "Find last successful deployment (before
 * current)"), or during a rolling release to its base. A named target must be a READY production deployment, and one
 * that served production when the platform's instant rollback moves to it.
 * The Vercel adapter only reads the deployments and hands them in.
 */
import { RollbackError } from '../errors';
import type { DeploymentRecord } from '../ports/incident-store';
import { servingNow } from './rules';

/** A production deployment as the platform lists it, in the words the choice needs. */
export interface TargetCandidate {
  readonly id: string;
  /** Host name, for messages. */
  readonly url: string;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  /** "production", "preview" or whatever newer value the platform reports. */
  readonly target: string;
  /** READY, BUILDING, ERROR, ... */
  readonly state: string;
  /** The platform says it served production, so its instant rollback may move back to it. */
  readonly servedProduction: boolean;
}

const startedAt = (d: DeploymentRecord): number => (d.servedFrom ?? d.firstSeenAt ?? new Date(0)).getTime();

/** The newest last-known-good deployment that is not serving now; undefined when none is recorded. */
export function defaultRollbackTarget(deployments: readonly DeploymentRecord[]): DeploymentRecord | undefined {
  const serving = servingNow(deployments);
  return deployments
    .filter((d) => d.lastKnownGoodAt && d.deploymentId !== serving?.deploymentId)
    .sort((a, b) => startedAt(b) - startedAt(a))[0];
}

const newestFirst = (a: TargetCandidate, b: TargetCandidate): number => b.createdAt - a.createdAt;

/** No last known good recorded: the newest READY production deployment before `current` that served production. */
export function previousProductionDeployment<T extends TargetCandidate>(
  current: T,
  production: readonly T[],
): T | undefined {
  return production
    .filter((d) => d.id !== current.id && d.createdAt < current.createdAt && d.servedProduction)
    .sort(newestFirst)[0];
}

/** What the platform's default target is chosen from, read lazily: the adapter reads only what the choice asks. */
interface PlatformTargetSources<T extends TargetCandidate> {
  /** The base deployment of a rolling release in progress, if one is. */
  readonly releaseBaseId?: string;
  readonly deployment: (id: string) => Promise<T>;
  readonly production: () => Promise<readonly T[]>;
}

/**
 * No target named and no last known good recorded: during a rolling release, its base deployment (rolling back
 * there is how Vercel aborts the release); otherwise the previous production deployment.
 */
export async function platformDefaultTarget<T extends TargetCandidate>(
  current: T,
  sources: PlatformTargetSources<T>,
): Promise<T | undefined> {
  const base = sources.releaseBaseId;
  if (base !== undefined && base !== current.id) return sources.deployment(base);
  return previousProductionDeployment(current, await sources.production());
}

/** While production is pinned: the newest production deployment newer than `current`, which an Unpin would promote. */
export function unpinTarget<T extends TargetCandidate>(current: T, production: readonly T[]): T | undefined {
  return production.filter((d) => d.id !== current.id && d.createdAt > current.createdAt).sort(newestFirst)[0];
}

/** Refuses a named target production must not move to, with a message that says why. */
export function assertUsableTarget(
  deployment: TargetCandidate,
  spec: string,
  method: 'instant-rollback' | 'promote',
): void {
  const name = `${deployment.id} (${deployment.url})`;
  if (deployment.target !== 'production') {
    throw new RollbackError(
      'bad_input',
      `${name}, named by "${spec}", is a preview deployment, not a production one.`,
      {
        fix:
          'Name a production deployment. To ship this code, merge it to the deploy branch ' +
          '(or redeploy it to production) first.',
        details: { deploymentId: deployment.id },
      },
    );
  }
  if (deployment.state !== 'READY') {
    throw new RollbackError('bad_input', `${name} is ${deployment.state}, not READY; production cannot move to it.`, {
      fix: 'Name a production deployment whose build finished (READY).',
      details: { deploymentId: deployment.id },
    });
  }
  if (method === 'instant-rollback' && !deployment.servedProduction) {
    throw new RollbackError(
      'bad_input',
      `${name} never served production, so Vercel's instant rollback cannot use it.`,
      {
        fix:
          'Name a deployment that served production before, or set vercel.rollbackMethod to ' +
          'promote for this service.',
        details: { deploymentId: deployment.id },
      },
    );
  }
}

/**
 * The rollback target, chosen in one place over plain data. A rollback that
 * names no target goes, in this order of precedence:
 * 1. during a rolling release, to its base deployment (what served before the
 *    canary; rolling back there is how Vercel aborts the release), unless
 *    production already serves the base again;
 * 2. to the newest last known good that is not serving now (the runbook's
 *    "Last Known Good Versions", from the deployments the bot recorded);
 * 3. to the platform's previous production deployment (the runbook's "Find
 *    last successful deployment (before current)").
 * The engine decides 1 and 2 from the bot's own records (`defaultRollbackTarget`);
 * the application adapter decides what is left over the platform's list
 * (`platformDefaultTarget`, where a release started outside the bot still
 * wins). A named target must be a READY production deployment, and one that
 * served production when the platform's instant rollback moves to it. How a
 * rollback moves production (`rollbackMethod`): by instant rollback whenever a
 * rolling release is active or configured, even where the service promotes.
 */
import { RollbackError } from '../errors';
import type { MoveMethod } from '../ports/application';
import type { DeploymentRecord } from '../ports/incident-store';
import { describeDeployment, servingNow } from './rules';

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

/** A rolling release under way, as the bot recorded it, in the words the choice needs. */
export interface ReleaseUnderWay {
  readonly id: string;
  readonly base: {
    readonly id: string;
    readonly version?: string | undefined;
    readonly commitSha?: string | undefined;
  };
  readonly startedAt: Date;
}

/** Where a rollback that names no target goes, when the bot's records decide it (else the platform's default). */
export type DefaultTarget =
  | { readonly source: 'release-base'; readonly deploymentId: string; readonly release: string; readonly words: string }
  | {
      readonly source: 'last-known-good';
      readonly deploymentId: string;
      readonly deployment: DeploymentRecord;
      readonly words: string;
    };

/**
 * Production serves the release's base again: the probes saw it start serving since the release began (its
 * abort went through). Before that, the base may still be recorded as serving from before the release, which
 * says nothing: the canary has its share of traffic.
 */
function servesBaseAgain(release: ReleaseUnderWay, serving: DeploymentRecord | undefined): boolean {
  return (
    serving?.deploymentId === release.base.id &&
    serving.servedFrom !== undefined &&
    serving.servedFrom.getTime() >= release.startedAt.getTime()
  );
}

/**
 * The precedence's first two rungs, over the bot's records: an active release's base (unless production is back
 * on it), else the newest last-known-good deployment that is not serving now; undefined leaves the choice to the
 * platform (its previous production deployment).
 */
export function defaultRollbackTarget(
  deployments: readonly DeploymentRecord[],
  release?: ReleaseUnderWay,
): DefaultTarget | undefined {
  const serving = servingNow(deployments);
  if (release && !servesBaseAgain(release, serving)) {
    const { id, version, commitSha } = release.base;
    // The release may not know the base's version; the probes may have recorded it.
    const recorded = deployments.find((d) => d.deploymentId === id);
    const named = {
      deploymentId: id,
      version: version ?? recorded?.version,
      commitSha: commitSha ?? recorded?.commitSha,
    };
    return {
      source: 'release-base',
      deploymentId: release.base.id,
      release: release.id,
      words: `the base of release ${release.id}, ${describeDeployment(named)}`,
    };
  }
  const lastGood = deployments
    .filter((d) => d.lastKnownGoodAt && d.deploymentId !== serving?.deploymentId)
    .sort((a, b) => startedAt(b) - startedAt(a))[0];
  if (!lastGood) return undefined;
  return {
    source: 'last-known-good',
    deploymentId: lastGood.deploymentId,
    deployment: lastGood,
    words: `the last known good, ${describeDeployment(lastGood)}`,
  };
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
 * What the bot's records left to the platform (no release of the bot's, no last known good): during a rolling
 * release (one started outside the bot), its base deployment unless it is production now; otherwise the previous
 * production deployment.
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

/** The platform's rolling release on a project: one under way, only its configuration, or none. */
export type RollingReleaseState = 'active' | 'configured' | 'none';

/**
 * How a rollback moves production. A promote during an active release would queue behind it while the canary keeps
 * its share of traffic; with a release only configured, it would start a staged release of the target (10% first).
 * Either way traffic stays on what is rolled back, so a rollback goes by instant rollback (which aborts a release).
 */
export function rollbackMethod(configured: MoveMethod, release: RollingReleaseState): MoveMethod {
  return release === 'none' ? configured : 'instant-rollback';
}

/** A rollback's named target, checked for the method `rollbackMethod` chooses; the words say why it was chosen. */
export function assertRollbackTarget(
  deployment: TargetCandidate,
  spec: string,
  service: { readonly name: string; readonly method: MoveMethod },
  release: RollingReleaseState,
): void {
  const method = rollbackMethod(service.method, release);
  if (method === service.method || deployment.servedProduction) {
    assertUsableTarget(deployment, spec, method);
    return;
  }
  assertUsableTarget(deployment, spec, 'promote');
  const active = release === 'active';
  throw new RollbackError(
    'bad_input',
    `${deployment.id} (${deployment.url}) never served production, so Vercel's instant rollback cannot use it, and ` +
      (active
        ? `a promote would only queue behind the rolling release under way on ${service.name}, the canary keeping ` +
          'its share of traffic.'
        : `a promote would start a staged rolling release of it on ${service.name} (the project has one ` +
          'configured), most traffic staying where it is.') +
      ' Nothing was moved.',
    {
      fix: active
        ? `Abort the release first with /rollout abort ${service.name}, or name a deployment that served production.`
        : 'Name a deployment that served production, or release this one with ' +
          `/rollout ${service.name} ${deployment.id}.`,
      details: { deploymentId: deployment.id, release },
    },
  );
}

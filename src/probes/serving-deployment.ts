/**
 * Which deployment production serves, from what its version endpoint reports:
 * when that is another deployment than the one recorded as serving, Vercel is
 * asked which deployment it is, the new one is recorded as serving from when it
 * went live, the previous one stops, and the service's timeline says so. A
 * redeploy of the same commit and version is told apart only when the version
 * answer carries `deploymentId` (Vercel's VERCEL_DEPLOYMENT_ID); otherwise it
 * counts as the same deployment.
 */
import type { ServiceConfig } from '../config/service-schema';
import { asRollbackError } from '../rollback/errors';
import { describeDeployment } from '../rollback/last-known-good/rules';
import type { DeploymentSummary } from '../rollback/ports/application';
import type { DeploymentRecord } from '../rollback/ports/incident-store';
import { type DeploymentRow, toDeployment } from '../store/queries/deployments';
import { selectLastSeen, selectServingDeployment, startServing, stopServingOthers } from '../store/queries/probes';
import { parseAppVersion, sameCommit, sameVersion } from './app-version';
import type { ProbeDeps } from './probe-run';

/** What production said it served, from its version endpoint. */
export interface Served {
  readonly deploymentId?: string;
  readonly version?: string;
  readonly commitSha?: string;
}

export interface Reported {
  readonly version?: string;
  readonly commitSha?: string;
  /** Vercel's VERCEL_DEPLOYMENT_ID, when the app puts it in its version answer. */
  readonly deploymentId?: string;
}

export function parseReported(body: string): Reported | undefined {
  try {
    const json: unknown = JSON.parse(body);
    const parsed = parseAppVersion(json);
    if (!parsed || (parsed.version === undefined && parsed.commit === undefined)) return undefined;
    const id = (json as { deploymentId?: unknown }).deploymentId;
    return {
      version: parsed.version,
      commitSha: parsed.commit,
      deploymentId: typeof id === 'string' && id !== '' ? id : undefined,
    };
  } catch {
    return undefined;
  }
}

/** Whether what production reports is the recorded deployment; undefined when nothing comparable is known. */
function sameDeployment(recorded: DeploymentRecord, reported: Reported): boolean | undefined {
  if (reported.deploymentId) return reported.deploymentId === recorded.deploymentId;
  if (reported.commitSha && recorded.commitSha) {
    if (!sameCommit(reported.commitSha, recorded.commitSha)) return false;
    return reported.version && recorded.version ? sameVersion(reported.version, recorded.version) : true;
  }
  if (reported.version && recorded.version) return sameVersion(reported.version, recorded.version);
  return undefined;
}

/**
 * Which deployment serves, recording a change. Vercel is asked only on a
 * change; when it cannot be asked, or names a deployment that does not match
 * what production reports, nothing is recorded and the next run asks again.
 */
export interface Identified {
  readonly served: Served;
  readonly newDeployment?: DeploymentRecord;
}

export async function identify(
  service: ServiceConfig,
  deps: ProbeDeps,
  reported: Reported,
  at: Date,
): Promise<Identified> {
  const [row] = await deps.db.query<DeploymentRow>(selectServingDeployment(service.name));
  const recorded = row ? toDeployment(row) : undefined;
  const asReported: Served = { version: reported.version, commitSha: reported.commitSha };
  if (recorded && sameDeployment(recorded, reported) === true)
    return { served: { ...asReported, deploymentId: recorded.deploymentId } };
  let current: DeploymentSummary;
  try {
    current = (await deps.application.describeProduction(service, { background: true })).current;
  } catch (error) {
    deps.logger.warn(
      { err: asRollbackError(error) },
      `production reports ${describeReported(reported)}, but Vercel could not be asked ` +
        `which deployment that is; trying again next run`,
    );
    return { served: asReported };
  }
  const matches = reported.deploymentId
    ? reported.deploymentId === current.id
    : reported.commitSha && current.commitSha
      ? sameCommit(reported.commitSha, current.commitSha)
      : reported.version !== undefined &&
        current.version !== undefined &&
        sameVersion(reported.version, current.version);
  if (!matches) {
    deps.logger.warn(
      { deploymentId: current.id, commit: current.commitSha, version: current.version },
      `production reports ${describeReported(reported)}, but Vercel's production ` +
        `deployment is ${current.id}: not recorded until they agree`,
    );
    return { served: asReported };
  }
  const deployment: DeploymentRecord = {
    service: service.name,
    deploymentId: current.id,
    url: current.url,
    commitSha: current.commitSha ?? reported.commitSha,
    version: reported.version ?? current.version,
    notes: current.commitMessage?.split('\n')[0],
  };
  const served: Served = { ...asReported, deploymentId: current.id };
  if (recorded?.deploymentId === current.id) {
    // The same deployment, known with fewer facts before: fill them in, its serving time goes on.
    await deps.store.recordDeployment(deployment);
    return { served };
  }
  const liveAt = await goLive(deps, service, recorded, current, at);
  await deps.db.transaction(async (tx) => {
    await tx.query(stopServingOthers(service.name, current.id, liveAt));
    await tx.query(startServing(deployment, liveAt));
  });
  await deps.store.appendTimeline({
    service: service.name,
    at,
    actor: 'rollback-bot',
    kind: 'deployment_seen',
    message:
      `New deployment seen: ${deployment.version ?? 'unknown version'}, commit ` +
      `${deployment.commitSha?.slice(0, 7) ?? 'unknown'} ` +
      `(${deployment.deploymentId})${recorded ? `, replacing ${describeDeployment(recorded)}` : ''}.`,
    data: {
      deploymentId: deployment.deploymentId,
      version: deployment.version ?? null,
      commit: deployment.commitSha ?? null,
      previous: recorded?.deploymentId ?? null,
    },
  });
  return { served, newDeployment: { ...deployment, servedFrom: liveAt } };
}

/**
 * When production started serving the new deployment: Vercel's alias (or
 * READY) time, kept between the last probe run that still saw the previous
 * deployment and this run, the first to see the new one. Without Vercel's time,
 * this run: the earliest probe that saw it.
 */
async function goLive(
  deps: ProbeDeps,
  service: ServiceConfig,
  previous: DeploymentRecord | undefined,
  current: DeploymentSummary,
  at: Date,
): Promise<Date> {
  const said = current.liveSince?.getTime();
  if (said === undefined || said >= at.getTime()) return at;
  let floor = previous?.servedFrom?.getTime() ?? -Infinity;
  if (previous) {
    const [seen] = await deps.db.query<{ at: Date | null }>(selectLastSeen(service.name, previous.deploymentId));
    if (seen?.at) floor = Math.max(floor, seen.at.getTime());
  }
  return new Date(Math.max(said, floor));
}

function describeReported(reported: Reported): string {
  return [
    reported.version && `version ${reported.version}`,
    reported.commitSha && `commit ${reported.commitSha}`,
    reported.deploymentId,
  ]
    .filter(Boolean)
    .join(', ');
}

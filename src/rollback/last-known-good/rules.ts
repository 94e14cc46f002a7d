/**
 * The runbook's "Last Known Good Versions" as rules over the deployments the
 * bot has recorded: which one serves now, when it becomes last known good
 * (it served lastKnownGoodAfterMinutes and no incident was opened for the
 * service since it started serving). Which one a rollback goes back to is
 * rollback-target.ts.
 */
import type { DeploymentRecord } from '../ports/incident-store';

/**
 * The deployment production serves, as the probes last saw it: started serving and not stopped, the latest to start.
 */
export function servingNow(deployments: readonly DeploymentRecord[]): DeploymentRecord | undefined {
  let serving: DeploymentRecord | undefined;
  for (const d of deployments) {
    if (!d.servedFrom || d.servedUntil) continue;
    if (!serving || (serving.servedFrom as Date).getTime() < d.servedFrom.getTime()) serving = d;
  }
  return serving;
}

export interface IncidentSeen {
  readonly id: string;
  readonly openedAt: Date;
  readonly open: boolean;
}

export type PromotionDecision =
  | { readonly promote: true; readonly deployment: DeploymentRecord; readonly reason: string }
  | { readonly promote: false; readonly reason: string };

/** "1.9.0 (commit b7920c6, dpl_…)": how the timeline and messages name a deployment. */
export function describeDeployment(d: Pick<DeploymentRecord, 'deploymentId' | 'version' | 'commitSha'>): string {
  const facts = [d.commitSha && `commit ${d.commitSha.slice(0, 7)}`, d.deploymentId].filter(Boolean).join(', ');
  return d.version ? `${d.version} (${facts})` : facts;
}

export function lastKnownGoodDecision(input: {
  serving: DeploymentRecord | undefined;
  /** The service's incidents, at least every one opened since the serving deployment started or still open. */
  incidents: readonly IncidentSeen[];
  now: Date;
  afterMinutes: number;
}): PromotionDecision {
  const { serving, now, afterMinutes } = input;
  const from = serving?.servedFrom;
  if (!serving || !from) return { promote: false, reason: 'no deployment is known to serve production yet' };
  const name = describeDeployment(serving);
  if (serving.lastKnownGoodAt) return { promote: false, reason: `${name} is already last known good` };
  const open = input.incidents.find((i) => i.open);
  if (open) return { promote: false, reason: `incident ${open.id} is open` };
  const since = input.incidents.find((i) => i.openedAt.getTime() >= from.getTime());
  if (since) return { promote: false, reason: `incident ${since.id} was opened while ${name} served` };
  const servedMinutes = Math.floor((now.getTime() - from.getTime()) / 60_000);
  if (servedMinutes < afterMinutes)
    return { promote: false, reason: `${name} has served ${servedMinutes} of ${afterMinutes} minutes` };
  return {
    promote: true,
    deployment: serving,
    reason:
      `${name} is now last known good: it has served production for ${servedMinutes} ` +
      `minutes without an incident (lastKnownGoodAfterMinutes: ${afterMinutes}).`,
  };
}

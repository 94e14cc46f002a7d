/**
 * Last known good for a deployment that came through /rollout: not while its
 * release is under way, and only after it served 100% of traffic for the
 * plan's stableHours (24 h) without an incident; otherwise the existing rule.
 */
import type { ServiceConfig } from '../config/service-schema';
import { type IncidentSeen, type PromotionDecision, lastKnownGoodDecision } from '../rollback/last-known-good/rules';
import type { DeploymentRecord } from '../rollback/ports/incident-store';
import { releasePlan } from '../rollback/release/release-plan';
import { releaseStableDecision } from '../rollback/release/release-stable';
import type { StoredRelease } from '../store/release-store';

export function lastKnownGoodWithRelease(input: {
  readonly service: ServiceConfig;
  readonly serving: DeploymentRecord | undefined;
  readonly release: StoredRelease | undefined;
  readonly incidents: readonly IncidentSeen[];
  readonly now: Date;
}): PromotionDecision {
  const { service, serving, release, incidents, now } = input;
  const afterMinutes = service.lastKnownGoodAfterMinutes;
  if (!serving || release?.canary.id !== serving.deploymentId)
    return lastKnownGoodDecision({ serving, incidents, now, afterMinutes });
  if (release.state !== 'completed' || !release.endedAt) {
    return { promote: false, reason: `${serving.deploymentId} is being released (${release.id}, ${release.state})` };
  }
  const stableHours = releasePlan(service).stableHours;
  return releaseStableDecision({
    serving,
    completedAt: release.endedAt,
    stableHours,
    serviceAfterMinutes: afterMinutes,
    incidents,
    now,
  });
}

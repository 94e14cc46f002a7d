/**
 * The runbook's "Full rollout after 24h stability": a released deployment
 * becomes last known good by the existing rule (served without an incident),
 * counted from the moment the release reached 100% and over the plan's
 * stableHours rather than the service's shorter lastKnownGoodAfterMinutes.
 */
import { type IncidentSeen, type PromotionDecision, lastKnownGoodDecision } from '../last-known-good/rules';
import type { DeploymentRecord } from '../ports/incident-store';

export function releaseStableDecision(input: {
  readonly serving: DeploymentRecord | undefined;
  /** When the release completed (100% of traffic on the canary). */
  readonly completedAt: Date;
  readonly stableHours: number;
  readonly serviceAfterMinutes: number;
  readonly incidents: readonly IncidentSeen[];
  readonly now: Date;
}): PromotionDecision {
  const { serving } = input;
  const from = serving?.servedFrom && serving.servedFrom > input.completedAt ? serving.servedFrom : input.completedAt;
  return lastKnownGoodDecision({
    serving: serving ? { ...serving, servedFrom: from } : undefined,
    incidents: input.incidents,
    now: input.now,
    afterMinutes: Math.max(input.serviceAfterMinutes, input.stableHours * 60),
  });
}

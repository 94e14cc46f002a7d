/**
 * Incident actions that are not rollbacks: feature flags switched (the
 * runbook's "disable broken feature without rollback"). They are counted
 * apart from the runbook's rollback metrics, never in rollback frequency or
 * execution time, so turning a feature off does not read as a rollback.
 * One function per figure, as for the rollback metrics.
 */
import type { FlagActionFact, FlagState } from '../ports/flags';
import type { IncidentStore } from '../ports/incident-store';
import { METRICS_PERIOD_DAYS } from './measure';

export interface IncidentActions {
  readonly from: Date;
  readonly to: Date;
  /** Feature flags turned off in the period. */
  readonly flagsTurnedOff: number;
  /** Feature flags turned back on in the period. */
  readonly flagsTurnedOn: number;
  /** Switches made with no incident open (on the service's own timeline). */
  readonly outsideIncidents: number;
}

const inPeriod = (fact: FlagActionFact, from: Date, to: Date): boolean =>
  fact.at.getTime() >= from.getTime() && fact.at.getTime() < to.getTime();

const switched = (facts: readonly FlagActionFact[], state: FlagState, from: Date, to: Date): number =>
  facts.filter((f) => f.state === state && inPeriod(f, from, to)).length;

export function flagsTurnedOff(facts: readonly FlagActionFact[], from: Date, to: Date): number {
  return switched(facts, 'off', from, to);
}

export function flagsTurnedOn(facts: readonly FlagActionFact[], from: Date, to: Date): number {
  return switched(facts, 'on', from, to);
}

function flagActionsOutsideIncidents(facts: readonly FlagActionFact[], from: Date, to: Date): number {
  return facts.filter((f) => f.incidentId === undefined && inPeriod(f, from, to)).length;
}

export function incidentActions(facts: readonly FlagActionFact[], from: Date, to: Date): IncidentActions {
  return {
    from,
    to,
    flagsTurnedOff: flagsTurnedOff(facts, from, to),
    flagsTurnedOn: flagsTurnedOn(facts, from, to),
    outsideIncidents: flagActionsOutsideIncidents(facts, from, to),
  };
}

/** Over the same period as the rollback metrics (the last 30 days). */
export async function measureIncidentActions(
  store: Pick<IncidentStore, 'flagActions'>,
  options: { service?: string; at: Date; days?: number },
): Promise<IncidentActions> {
  const to = options.at;
  const from = new Date(to.getTime() - (options.days ?? METRICS_PERIOD_DAYS) * 86_400_000);
  return incidentActions(await store.flagActions({ service: options.service, from, to }), from, to);
}

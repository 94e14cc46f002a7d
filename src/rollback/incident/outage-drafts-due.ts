/**
 * The runbook emails users when an outage passes 15 minutes. Incidents still
 * open past that point get the drafts (status page, email) in their thread.
 */
import { incidentTimes } from '../metrics/incident-times';
import type { IncidentRecord } from '../ports/incident-store';
import type { IncidentEngineDeps } from './engine-deps';

const OUTAGE_DRAFTS_AFTER_MS = 15 * 60_000;

/** The rule: the outage, from its impact start (else the opening) to `end`, lasted more than 15 minutes. */
export function outageOver15Minutes(incident: IncidentRecord, end: Date): boolean {
  return (
    end.getTime() - (incidentTimes(incident).impactStartedAt ?? incident.openedAt).getTime() > OUTAGE_DRAFTS_AFTER_MS
  );
}

export async function announceLongOutages(
  deps: Pick<IncidentEngineDeps, 'clock' | 'announcer'>,
  open: readonly IncidentRecord[],
): Promise<number> {
  const now = deps.clock.now();
  let due = 0;
  for (const incident of open) {
    if (incident.data.draftsPosted || !outageOver15Minutes(incident, now)) continue;
    await deps.announcer.announce(incident.id);
    due += 1;
  }
  return due;
}

/**
 * The runbook emails users when an outage passes 15 minutes. Incidents still
 * open past that point get the drafts (status page, email) in their thread.
 */
import { incidentTimes } from '../metrics/incident-times';
import type { IncidentRecord } from '../ports/incident-store';
import type { EngineDeps } from './engine-deps';

export const OUTAGE_DRAFTS_AFTER_MS = 15 * 60_000;

export async function announceLongOutages(deps: EngineDeps, open: readonly IncidentRecord[]): Promise<number> {
  const now = deps.clock.now().getTime();
  let due = 0;
  for (const incident of open) {
    const start = (incidentTimes(incident).impactStartedAt ?? incident.openedAt).getTime();
    if (incident.data.draftsPosted || now - start <= OUTAGE_DRAFTS_AFTER_MS) continue;
    await deps.announcer.announce(incident.id);
    due += 1;
  }
  return due;
}

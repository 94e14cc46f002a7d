/**
 * The features an incident's alerts name (labels, annotations, summaries),
 * kept on the incident for "Disable <flag>". An alert that joins an incident
 * already open adds the flags it names, so the hotfix question and the schema
 * approval offer them too (updated in place).
 */
import type { ServiceConfig } from '../../config/service-schema';
import type { IncidentRecord } from '../ports/incident-store';
import { findService } from '../services';
import type { IncidentEngineDeps } from './engine-deps';
import { flagsNamedBy } from './flag-switch';
import { isIncidentOpen } from './incident-state';

const MAX_FEATURES = 10;

/** Trimmed, bounded, without repeats. */
export const cleanFeatures = (features: readonly string[]): string[] =>
  [...new Set(features.map((f) => f.trim().slice(0, 200)).filter(Boolean))].slice(0, MAX_FEATURES);

/** What firing alerts of the service name: their feature label, and the service's flags their summaries name. */
export function alertFeatures(
  service: ServiceConfig,
  alerts: readonly { service: string; firing: boolean; feature?: string; summary: string }[],
): string[] {
  const firing = alerts.filter((a) => a.firing && a.service === service.name);
  return cleanFeatures([
    ...firing.flatMap((a) => (a.feature ? [a.feature] : [])),
    ...firing.flatMap((a) => flagsNamedBy(service, a.summary).map((flag) => flag.name)),
  ]);
}

/**
 * Adds to an open incident the features that name a flag it does not offer yet; the incident's messages are
 * rendered again. Nothing when the alerts name no new flag (the common case: no write).
 */
export async function addAlertedFlags(
  deps: Pick<IncidentEngineDeps, 'services' | 'store' | 'announcer'>,
  incident: IncidentRecord,
  features: readonly string[],
): Promise<void> {
  if (features.length === 0 || !isIncidentOpen(incident.state)) return;
  const service = findService(deps.services, incident.service);
  const known = incident.data.features ?? [];
  const { reason, target } = incident.data.request;
  const offered = new Set(
    flagsNamedBy(service, [incident.issue, incident.trigger, reason ?? '', target ?? '', ...known].join(' ')).map(
      (f) => f.name,
    ),
  );
  const fresh = features.filter((f) => flagsNamedBy(service, f).some((flag) => !offered.has(flag.name)));
  if (fresh.length === 0) return;
  // The flags first, so a full list keeps the ones that matter.
  await deps.store.updateIncident(incident.id, { data: { features: cleanFeatures([...fresh, ...known]) } });
  await deps.store.appendTimeline({
    incidentId: incident.id,
    service: service.name,
    actor: 'rollback-bot',
    kind: 'flag_named',
    message: `An alert that joined the incident names ${fresh.join(', ')}: its flag is offered to disable.`,
    data: { features: fresh },
  });
  await deps.announcer.announce(incident.id);
}

/**
 * The timeline entry that says where an incident the bot opened was detected
 * from and how its times were dated, so the thread, the timeline and the
 * post-mortem name the firing rule's own evidence.
 */
import type { EpisodeTimes } from '../rollback/detection/episode-evidence';
import { AUTOPILOT_ACTOR } from '../rollback/incident/authority';
import type { EngineDeps } from '../rollback/incident/engine-deps';
import { incidentTimes } from '../rollback/metrics/incident-times';
import type { IncidentRecord } from '../rollback/ports/incident-store';

export async function noteDetectedFrom(
  engine: EngineDeps,
  incident: IncidentRecord,
  episode: EpisodeTimes,
): Promise<void> {
  const times = incidentTimes(incident);
  await engine.store.appendTimeline({
    incidentId: incident.id,
    service: incident.service,
    actor: AUTOPILOT_ACTOR,
    kind: 'detected_from',
    message:
      `Detected from ${episode.evidence.detectedFrom} at ` +
      `${episode.detectedAt.toISOString()}; impact started ` +
      `${episode.impactStartedAt.toISOString()} (from ${times.impactFrom}).`,
    data: {
      detectedFrom: episode.evidence.detectedFrom,
      impact: episode.evidence.impact,
      detectedAt: episode.detectedAt.toISOString(),
      impactStartedAt: episode.impactStartedAt.toISOString(),
    },
  });
}

/**
 * The runbook's "notify CTO" for a release the guard aborted on a MUST trigger
 * on the canary: the bot acted by itself, so the CTO gets the release's own
 * notice (never the after-hours wording, which names a person), once per
 * release, with the timeline entry every CTO notice has.
 */
import { AUTOPILOT_ACTOR } from '../rollback/incident/authority';
import { findService } from '../rollback/services';
import type { StoredRelease } from '../store/release-store';
import { type ReleaseAbortNoticeView, releaseAbortNotice } from '../slack/blocks/release-abort-notice';
import { serviceRef } from '../slack/incident-views';
import { sendToEach } from '../slack/outbox/notifier';
import type { RolloutDeps } from './deps';

interface AbortFacts {
  readonly percent: number;
  readonly trigger: string;
  readonly at: Date;
  readonly traffic: ReleaseAbortNoticeView['traffic'];
  readonly incidentId?: string | undefined;
}

export async function tellCtoOfAbort(deps: RolloutDeps, release: StoredRelease, facts: AbortFacts): Promise<void> {
  const service = findService(deps.engine.services, release.service);
  const roles = await deps.engine.roles.resolve(service);
  const notice = releaseAbortNotice({
    timeZone: service.workingHours.timeZone,
    service: serviceRef(service),
    release,
    percent: facts.percent,
    trigger: facts.trigger,
    at: facts.at,
    traffic: facts.traffic,
    channelId: service.slack.alertsChannel,
    ...(facts.incidentId ? { incident: { id: facts.incidentId } } : {}),
  });
  await sendToEach(deps.notifier, roles.cto, (cto) => `release:${release.id}:cto:${cto}`, notice);
  await deps.engine.store.appendTimeline({
    ...(facts.incidentId ? { incidentId: facts.incidentId } : {}),
    service: service.name,
    actor: AUTOPILOT_ACTOR,
    kind: 'cto_notified',
    message:
      `Release ${release.id} aborted on a MUST trigger on the canary at ${facts.percent}% of traffic: ` +
      'the CTO was notified by direct message.',
    data: { release: release.id },
  });
}

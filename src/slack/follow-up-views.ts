/**
 * The follow-up views: the post-rollback checklist and the post-mortem draft, from what the store holds. Pure.
 */
import { type FollowUpItem, postMortemBy } from '../rollback/follow-up/checklist';
import { postMortemDraft } from '../rollback/follow-up/post-mortem-draft';
import type { ServiceConfig } from '../config/service-schema';
import type { IncidentRecord, MetricsInput, StepRecord, TimelineRecord } from '../rollback/ports/incident-store';
import type { FollowUpChecklistView } from './blocks/follow-up-checklist';
import type { PostMortemView } from './blocks/post-mortem';
import { serviceRef, str } from './incident-views';

export function checklistView(
  incident: IncidentRecord,
  items: readonly FollowUpItem[],
  service: ServiceConfig,
): FollowUpChecklistView {
  return {
    timeZone: service.workingHours.timeZone,
    incident: { id: incident.id },
    service: serviceRef(service),
    restoredAt: incident.restoredAt ?? incident.closedAt ?? incident.openedAt,
    owner: incident.data.owner,
    items,
  };
}

/** What was live when it broke: the deployment rolled back from, the reverted commit, or the migration. */
export function badVersionOf(incident: IncidentRecord, steps: readonly StepRecord[]): string | undefined {
  const app = steps.find((s) => s.kind === 'application');
  const version = str(app?.input.fromVersion);
  const commit = str(app?.input.fromCommit)?.slice(0, 7);
  if (version || commit) return version && commit ? `${version} (commit ${commit})` : (version ?? `commit ${commit}`);
  const request = incident.data.request;
  if ((request.kind === 'revert' || request.kind === 'reset') && request.target)
    return `commit ${request.target.slice(0, 7)}`;
  if (request.kind === 'schema' && request.target) return `migration ${request.target}`;
  return str(app?.input.fromDeploymentId);
}

/** The draft leaves out the checklist's own ticks and reminders: they come after the incident it describes. */
export function postMortemView(
  incident: IncidentRecord,
  steps: readonly StepRecord[],
  timeline: readonly TimelineRecord[],
  measured: MetricsInput | undefined,
  service: ServiceConfig,
): PostMortemView {
  const restoredAt = incident.restoredAt ?? incident.closedAt ?? incident.openedAt;
  return {
    timeZone: service.workingHours.timeZone,
    incident: { id: incident.id },
    service: serviceRef(service),
    meetingBy: postMortemBy(restoredAt),
    markdown: postMortemDraft({
      incident,
      timeline: timeline.filter((entry) => !entry.kind.startsWith('follow_up')),
      deployedAt: measured?.deployedAt,
      badVersion: badVersionOf(incident, steps),
      archives: measured?.archives,
    }),
  };
}

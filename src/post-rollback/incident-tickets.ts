/**
 * The incident ticket's life, run every minute (`incident-tickets`): for each
 * recent incident of a service with a tracker, open the ticket when it is due
 * (found again if a crash came between opening and recording it), tick
 * "Create incident ticket" with its link, add the post-mortem draft once the
 * incident resolved, close it when the checklist is complete. A tracker that
 * fails is logged and tried again at the next minute.
 */
import type { ServiceConfig } from '../config/service-schema';
import type { Logger } from '../logger';
import { completeItem } from '../rollback/follow-up/checklist';
import {
  TICKET_CLOSED,
  TICKET_OPENED,
  TICKET_POST_MORTEM,
  checklistComplete,
  incidentTicketContent,
  ticketDue,
  ticketProgress,
} from '../rollback/follow-up/incident-ticket';
import type { EngineDeps } from '../rollback/incident/engine-deps';
import type { IncidentRecord } from '../rollback/ports/incident-store';
import type { TicketRef, TicketTracker } from '../rollback/ports/tickets';
import type { ScheduledJob } from '../schedule/job';
import { badVersionOf, postMortemView } from '../slack/follow-up-views';

interface TicketJobDeps {
  readonly engine: Pick<EngineDeps, 'store' | 'clock' | 'services' | 'announcer'>;
  readonly tickets: TicketTracker;
  readonly logger: Logger;
}

const WEEK = 7 * 24 * 3_600_000;
const ITEM = 'incident_ticket';

async function advance(deps: TicketJobDeps, incident: IncidentRecord, service: ServiceConfig): Promise<void> {
  const { store, clock } = deps.engine;
  const now = clock.now();
  const timeline = await store.timeline(incident.id);
  const progress = ticketProgress(timeline);
  if (progress.closed) return;
  const note = (kind: string, message: string, data: Record<string, unknown> = {}) =>
    store.appendTimeline({ incidentId: incident.id, actor: 'rollback-bot', kind, message, data });
  let ticket: TicketRef;
  let changed = false;
  if (progress.opened && progress.url && progress.key) {
    ticket = { key: progress.key, url: progress.url, open: true };
  } else {
    const steps = await store.steps(incident.id);
    const measured = await store.metricsInput(incident.id);
    ticket =
      (await deps.tickets.find(service, incident.id)) ??
      (await deps.tickets.open(
        service,
        incidentTicketContent({
          incident,
          service: service.name,
          steps,
          timeline,
          badVersion: badVersionOf(incident, steps),
          deployedAt: measured?.deployedAt,
        }),
      ));
    await note(TICKET_OPENED, `Incident ticket opened: ${ticket.url}`, { url: ticket.url, key: ticket.key });
    changed = true;
  }
  if ((await store.followUps(incident.id)).some((item) => item.id === ITEM && !item.doneAt)) {
    await store.changeFollowUps(incident.id, (items) => completeItem(items, ITEM, `rollback-bot ${ticket.url}`, now));
    await note('follow_up_done', `rollback-bot ticked "Create incident ticket": ${ticket.url}`, { item: ITEM });
    changed = true;
  }
  if (incident.state === 'resolved' && !progress.postMortem) {
    const steps = await store.steps(incident.id);
    const draft = postMortemView(incident, steps, timeline, await store.metricsInput(incident.id), service).markdown;
    await deps.tickets.comment(service, ticket, `## Post-mortem draft\n\n${draft}`);
    await note(TICKET_POST_MORTEM, `Post-mortem draft added to ${ticket.key}.`);
  }
  if (incident.state === 'resolved' && checklistComplete(await store.followUps(incident.id))) {
    await deps.tickets.comment(
      service,
      ticket,
      'Every post-rollback action on the checklist is done: closing this ticket.',
    );
    await deps.tickets.close(service, ticket);
    await note(TICKET_CLOSED, `Incident ticket ${ticket.key} closed: the post-rollback checklist is complete.`);
    changed = true;
  }
  if (changed) await deps.engine.announcer.announce(incident.id);
}

/** One pass over recent incidents; returns how many were looked at. */
async function syncIncidentTickets(deps: TicketJobDeps): Promise<number> {
  const now = deps.engine.clock.now();
  let seen = 0;
  for (const incident of await deps.engine.store.listIncidents({ limit: 100 })) {
    const service = deps.engine.services.find((s) => s.name === incident.service);
    if (!service || !deps.tickets.serves(service) || !ticketDue(incident, now)) continue;
    // Incidents from before the tracker was configured are not filed after the fact.
    if (incident.closedAt && now.getTime() - incident.closedAt.getTime() > WEEK) continue;
    seen += 1;
    try {
      await advance(deps, incident, service);
    } catch (error) {
      deps.logger.warn({ incidentId: incident.id, error: (error as Error).message }, 'incident ticket: will try again');
    }
  }
  return seen;
}

export function ticketJobs(deps: TicketJobDeps): ScheduledJob[] {
  if (!deps.engine.services.some((service) => deps.tickets.serves(service))) return [];
  return [{ name: 'incident-tickets', cron: '* * * * *', run: async () => void (await syncIncidentTickets(deps)) }];
}

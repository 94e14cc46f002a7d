/**
 * Renders an incident's thread from the store and hands it to the notifier:
 * the root "ROLLBACK IN PROGRESS" post, the step progress (one message updated
 * in place), one message per approval, the outcome (COMPLETE only when every
 * step, verification included, succeeded) followed by the post-rollback
 * checklist and the post-mortem draft, and the outage drafts once the outage
 * passes 15 minutes. Same keys every time, so re-announcing updates.
 */
import { findService } from '../rollback/services';
import type { ServiceConfig } from '../config/service-schema';
import type { Clock } from '../rollback/clock';
import type { Announcer, RoleDirectory } from '../rollback/incident/engine-deps';
import { readQuestion } from '../rollback/incident/hotfix';
import { findFlag, lastSwitches } from '../rollback/incident/flag-switch';
import { readFlagState } from '../rollback/incident/flag-claim';
import type { FlagPort } from '../rollback/ports/flags';
import type { Logger } from '../logger';
import { outageOver15Minutes } from '../rollback/incident/outage-drafts-due';
import { followUpChecklist } from '../rollback/follow-up/checklist';
import { dataLossWords, incidentTimes } from '../rollback/metrics/incident-times';
import type { IncidentRecord, IncidentStore, StepRecord } from '../rollback/ports/incident-store';
import { type Notifier, sendToEach } from './outbox/notifier';
import {
  approvalRequest,
  ctoNotice,
  hotfixQuestion,
  outageDrafts,
  progress,
  rollbackComplete,
  rollbackFailed,
  rollbackInProgress,
} from './blocks';
import { followUpChecklistMessage } from './blocks/follow-up-checklist';
import { postMortemMessage } from './blocks/post-mortem';
import { type FlagOffer, flagCtoNotice, flagSwitched } from './blocks/flag-switched';
import { tellPeopleDirectly } from './undelivered-thread';
import type { SlackMessage } from './blocks/elements';
import { completeView, failedView, inProgressView, serviceRef, stepProgress, targetOf } from './incident-views';
import { approvalView, flagOffers } from './approval-view';
import { checklistView, postMortemView } from './follow-up-views';

export const messageKey = (incidentId: string, part: string): string => `incident:${incidentId}:${part}`;

/**
 * How long a flag's reading at its provider is shown again instead of read anew: one Vercel API call per flag per
 * redraw would follow every change to the incident. A switch by the bot is read anew at once (recent-flag-reads.ts).
 */
export const FLAG_READ_REUSE_MS = 10_000;

/** The incident whose thread root this outbox key is, if it is one. */
export const incidentOfRootKey = (key: string): string | undefined => /^incident:(.+):root$/.exec(key)?.[1];

interface AnnouncerDeps {
  store: IncidentStore;
  notifier: Notifier;
  services: readonly ServiceConfig[];
  clock: Clock;
  /** Expands the CTO role's user groups, so every CTO gets the approvals of a refused thread. */
  roles: RoleDirectory;
  /** The kill switch's provider, read before "Disable <flag>" is offered; none wired: offered unread. */
  flags?: FlagPort;
  logger: Logger;
  /** Told after each announce and flag switch (App Home refreshes for the people looking at it). */
  onAnnounced?: (incidentId?: string) => void;
}

export function createAnnouncer(deps: AnnouncerDeps): Announcer {
  const { store, notifier } = deps;
  /** After COMPLETE: the runbook's post-rollback checklist (started once) and the post-mortem draft. */
  const sendFollowThrough = async (
    incident: IncidentRecord,
    steps: readonly StepRecord[],
    service: ServiceConfig,
    root: string,
  ): Promise<void> => {
    const channel = incident.channelId as string;
    let items = await store.followUps(incident.id);
    if (items.length === 0)
      items = await store.startFollowUps(
        incident.id,
        followUpChecklist(incident.restoredAt ?? incident.closedAt ?? deps.clock.now()),
      );
    await notifier.send({
      key: messageKey(incident.id, 'follow-ups'),
      channel,
      threadKey: root,
      ...followUpChecklistMessage(checklistView(incident, items, service)),
    });
    const [timeline, measured] = await Promise.all([store.timeline(incident.id), store.metricsInput(incident.id)]);
    await notifier.send({
      key: messageKey(incident.id, 'post-mortem'),
      channel,
      threadKey: root,
      ...postMortemMessage(postMortemView(incident, steps, timeline, measured, service)),
    });
  };
  /** The runbook's status page and email drafts, once the outage passes 15 minutes (posted once). */
  const sendDraftsWhenDue = async (incident: IncidentRecord, service: ServiceConfig, root: string): Promise<void> => {
    if (incident.data.draftsPosted || incident.state === 'cancelled') return;
    const channel = incident.channelId as string;
    // Due from the record (as the outage-drafts job judges it); the drafts then state the measured figures.
    const end = incident.restoredAt ?? deps.clock.now();
    if (outageOver15Minutes(incident, end)) {
      const times = incidentTimes(incident, await store.metricsInput(incident.id));
      const impactStart = times.impactStartedAt ?? incident.openedAt;
      await notifier.send({
        key: messageKey(incident.id, 'drafts'),
        channel,
        threadKey: root,
        ...outageDrafts({
          timeZone: service.workingHours.timeZone,
          incident: { id: incident.id },
          service: serviceRef(service),
          productName: service.displayName ?? service.name,
          feature: service.displayName ?? service.name,
          issueDescription: incident.issue,
          impact: incident.trigger,
          startedAt: impactStart,
          endedAt: incident.restoredAt,
          asOf: deps.clock.now(),
          dataLoss: dataLossWords(times),
        }),
      });
      await store.updateIncident(incident.id, { data: { draftsPosted: true } });
    }
  };

  const outcomeOf = async (
    incident: IncidentRecord,
    steps: readonly StepRecord[],
    service: ServiceConfig,
  ): Promise<{ text: string; blocks?: SlackMessage['blocks'] } | undefined> => {
    if (incident.state === 'resolved')
      return rollbackComplete(completeView(incident, steps, service, await store.metricsInput(incident.id)));
    if (incident.state === 'failed') return rollbackFailed(failedView(incident, steps, service));
    if (incident.state !== 'cancelled') return undefined;
    const why = steps.find((s) => s.state === 'cancelled')?.error?.message;
    return {
      text:
        `Rollback ${incident.id} cancelled: ` +
        `${why ?? 'the approval was rejected or expired'}. Nothing was changed by it.`,
    };
  };

  /**
   * The flags the incident names, as they are now: one turned off on this incident says by whom; one the provider
   * already reads off (turned off outside the bot) says so. Unreadable at the provider: still offered (it is the
   * kill switch), and why is logged. Read only when a flag is named and a message offers it; a reading
   * FLAG_READ_REUSE_MS old will do.
   */
  const currentOffers = async (incident: IncidentRecord, service: ServiceConfig): Promise<FlagOffer[]> => {
    const named = flagOffers(incident, service);
    if (named.length === 0 || !(readQuestion(incident.data.hotfix) || incident.data.request.kind === 'schema'))
      return named;
    const offers = flagOffers(incident, service, lastSwitches(await store.timeline(incident.id)));
    return Promise.all(
      offers.map(async (offer) => {
        if (offer.off) return offer;
        const flag = findFlag(service, offer.name);
        const state = await readFlagState(deps, service, flag, { maxAgeMs: FLAG_READ_REUSE_MS });
        return state === 'off' ? { ...offer, offAtProvider: true } : offer;
      }),
    );
  };

  const render = async (incidentId: string): Promise<void> => {
    const incident = await store.getIncident(incidentId);
    if (!incident?.channelId) return;
    const service = findService(deps.services, incident.service);
    const steps = await store.steps(incidentId);
    const channel = incident.channelId;
    const root = messageKey(incidentId, 'root');
    const question = readQuestion(incident.data.hotfix);
    const offers = await currentOffers(incident, service);
    const questionMessage = question
      ? hotfixQuestion({
          timeZone: service.workingHours.timeZone,
          incident: { id: incident.id },
          service: serviceRef(service),
          question,
          flags: offers,
        })
      : undefined;
    const toRequester = questionMessage ? [{ part: 'hotfix', message: questionMessage }] : [];
    if (steps.length === 0) {
      // Nothing is rolling back yet: the decision tree's question is the incident's first post.
      if (questionMessage) await notifier.send({ key: root, channel, ...questionMessage });
      await sendDraftsWhenDue(incident, service, root);
      await aroundRefusedThread(incident, service, root, { toRequester, toApprovers: [] });
      return;
    }
    await notifier.send({ key: root, channel, ...rollbackInProgress(inProgressView(incident, steps, service)) });
    if (questionMessage)
      await notifier.send({ key: messageKey(incidentId, 'hotfix'), channel, threadKey: root, ...questionMessage });
    await notifier.send({
      key: messageKey(incidentId, 'progress'),
      channel,
      threadKey: root,
      ...progress({
        timeZone: service.workingHours.timeZone,
        incident: { id: incident.id },
        service: serviceRef(service),
        steps: stepProgress(incident, steps),
        updatedAt: deps.clock.now(),
      }),
    });
    const toApprovers: { part: string; message: SlackMessage }[] = [];
    for (const approval of await store.approvalsFor(incidentId)) {
      const step = steps.find((s) => s.id === approval.stepId);
      const message = approvalRequest(approvalView(incident, approval, step, service, offers));
      await notifier.send({
        key: messageKey(incidentId, `approval:${approval.id}`),
        channel,
        threadKey: root,
        ...message,
      });
      toApprovers.push({ part: `approval:${approval.id}`, message });
    }
    const outcome = await outcomeOf(incident, steps, service);
    if (outcome) await notifier.send({ key: messageKey(incidentId, 'outcome'), channel, threadKey: root, ...outcome });
    if (incident.state === 'resolved') await sendFollowThrough(incident, steps, service, root);
    await sendDraftsWhenDue(incident, service, root);
    await aroundRefusedThread(incident, service, root, { toRequester, toApprovers, outcome });
  };

  /** While Slack refuses the thread's root, what people must see reaches them by direct message. */
  const aroundRefusedThread = async (
    incident: IncidentRecord,
    service: ServiceConfig,
    root: string,
    messages: {
      toRequester: { part: string; message: SlackMessage }[];
      toApprovers: { part: string; message: SlackMessage }[];
      outcome?: { text: string; blocks?: SlackMessage['blocks'] };
    },
  ): Promise<void> => {
    const refusal = await notifier.undelivered?.(root);
    if (!refusal) return;
    const { cto } = await deps.roles.resolve(service);
    await tellPeopleDirectly(notifier, { incident, service, refusal, ctos: cto, ...messages });
  };

  return {
    async announce(incidentId) {
      await render(incidentId);
      deps.onAnnounced?.(incidentId);
    },
    async flagSwitched(notice) {
      const service = findService(deps.services, notice.service);
      const readBack = `${notice.outcome.readBackFrom === 'edge' ? 'where the app reads it' : "from Vercel's API"}`;
      const view = {
        ...notice,
        timeZone: service.workingHours.timeZone,
        service: serviceRef(service),
        value: notice.outcome.value,
        readBack: `${readBack}, ${(notice.outcome.shownAfterMs / 1000).toFixed(1)} s after the change`,
      };
      const key = `flag:${service.name}:${notice.flag}:${notice.at.getTime()}`;
      const incident = notice.incidentId ? await store.getIncident(notice.incidentId) : undefined;
      const thread = incident?.channelId
        ? { channel: incident.channelId, threadKey: messageKey(incident.id, 'root') }
        : undefined;
      await notifier.send({ key, ...(thread ?? { channel: service.slack.alertsChannel }), ...flagSwitched(view) });
      // The hotfix question and the schema approval say the flag is off instead of offering Disable again.
      if (incident?.channelId) await render(incident.id);
      // App Home counts the flags switched: it refreshes as after an incident change.
      deps.onAnnounced?.(incident?.id);
      const ctoMessage = flagCtoNotice(view);
      await sendToEach(notifier, notice.notifyCto, (cto) => `${key}:cto:${cto}`, ctoMessage);
    },

    async notifyCto(incidentId, ctoUserIds, executedBy) {
      const incident = await store.getIncident(incidentId);
      if (!incident) return;
      const service = findService(deps.services, incident.service);
      const steps = await store.steps(incidentId);
      const notice = ctoNotice({
        timeZone: service.workingHours.timeZone,
        incident: { id: incident.id },
        service: serviceRef(service),
        kind: incident.data.request.kind,
        target: targetOf(incident, steps),
        executedBy,
        reason: incident.data.request.reason,
        at: incident.openedAt,
      });
      await sendToEach(notifier, ctoUserIds, (cto) => messageKey(incidentId, `cto:${cto}`), notice);
    },
  };
}

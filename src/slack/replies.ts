/**
 * The read-only /rollback answers: plan (dry run), status and history, rendered
 * with the block builders from the engine's ports.
 */
import { findService } from '../rollback/services';
import type { ServiceConfig } from '../config/service-schema';
import { unavailableCapabilities } from '../config/credentials';
import { asRollbackError } from '../rollback/errors';
import type { EngineDeps } from '../rollback/incident/engine-deps';
import { historyReply, planReply, statusReply } from './blocks';
import type { ServiceStatusView } from './blocks';
import type { IncidentReplies } from './listeners/commands/incident-commands';
import { serviceRef } from './incident-views';
import { messageKey } from './announcer';
import { threadNotDelivered } from './undelivered-thread';
import type { MembershipWatch } from './membership';

/** Where the answers learn whether an incident's thread is in Slack (the outbox's notifier). */
interface ThreadDelivery {
  undelivered?(key: string): Promise<string | undefined>;
}

const chosen = (deps: EngineDeps, name?: string): readonly ServiceConfig[] =>
  name ? [findService(deps.services, name)] : deps.services;

async function statusOf(
  deps: EngineDeps,
  service: ServiceConfig,
  delivery: ThreadDelivery,
): Promise<ServiceStatusView> {
  const view: ServiceStatusView = { timeZone: service.workingHours.timeZone, service: serviceRef(service) };
  const unavailable = unavailableCapabilities(service, deps.env);
  if (unavailable.length > 0) view.unavailable = unavailable;
  const open = await deps.store.findOpenIncident(service.name);
  if (open) {
    const refusal = await delivery.undelivered?.(messageKey(open.id, 'root'));
    view.openIncident = {
      id: open.id,
      state: open.state,
      openedAt: open.openedAt,
      issue: open.issue,
      threadProblem: refusal ? threadNotDelivered(refusal) : undefined,
    };
  }
  try {
    const production = await deps.application.describeProduction(service);
    const current = production.current;
    view.production = {
      version: current.version,
      commit: current.commitSha?.slice(0, 7),
      deploymentId: current.id,
      url: current.url,
      deployedAt: current.createdAt,
      deployedBy: current.creator,
      versionNote: current.versionNote,
    };
    const target = production.rollbackTarget;
    if (target)
      view.wouldRollBackTo = {
        version: target.version,
        commit: target.commitSha?.slice(0, 7),
        deploymentId: target.id,
        why: 'the newest production deployment before the current one that served production',
      };
    const next = production.unpinWith;
    if (production.pinnedByRollback)
      view.pinned = next
        ? { unpinWith: { version: next.version, commit: next.commitSha?.slice(0, 7), deploymentId: next.id } }
        : {};
  } catch (error) {
    view.productionError = asRollbackError(error).explain();
  }
  return view;
}

/** The answers; `delivery` tells status whether an open incident's thread reached Slack. */
export const createIncidentReplies = (delivery: ThreadDelivery, membership?: MembershipWatch): IncidentReplies => ({
  channelProblem: async (name) => {
    const found = (await membership?.check())?.find((c) => c.service === name && c.problem);
    return found ? `${found.problem}. Fix: ${found.fix}.` : undefined;
  },
  plan: (result) => planReply(result),
  status: async (deps, name) =>
    statusReply(await Promise.all(chosen(deps, name).map((service) => statusOf(deps, service, delivery)))),
  history: async (deps, name) =>
    historyReply(
      await Promise.all(
        chosen(deps, name).map(async (service) => ({
          timeZone: service.workingHours.timeZone,
          service: serviceRef(service),
          rows: (await deps.store.deployments(service.name, 10)).map((d, index) => ({
            version: d.version,
            commit: d.commitSha?.slice(0, 7),
            date: d.servedFrom ?? d.firstSeenAt,
            notes: d.notes,
            current: index === 0 && !d.servedUntil,
            lastKnownGood: Boolean(d.lastKnownGoodAt),
          })),
        })),
      ),
    ),
});

/**
 * Renders what detection says in Slack from what the store holds, with stable
 * outbox keys so saying it again updates the same message: the trigger and
 * its alerts in the incident thread, the MAY post in the alerts channel, the
 * "asked again" after a Monitor window, the recovered note, and the CTO's
 * autopilot notice.
 */
import { findService } from '../rollback/services';
import type { ServiceConfig } from '../config/service-schema';
import type { Clock } from '../rollback/clock';
import type { AlertState } from '../rollback/detection/alert-state';
import { RULE_TITLES, sourcesOf } from '../rollback/detection/describe';
import type { DetectionRecord, DetectionStore } from '../rollback/detection/detection-record';
import type { IncidentRecord } from '../rollback/ports/incident-store';
import { type Notifier, sendToEach } from '../slack/outbox/notifier';
import { messageKey } from '../slack/announcer';
import {
  type AlertLineView,
  type DetectionView,
  detectionProposal,
  detectionSummary,
} from '../slack/blocks/detection-alerts';
import { askedAgain, autopilotNotice, recovered } from '../slack/blocks/detection-decisions';
import { serviceRef } from '../slack/incident-views';

/** Alerts listed in a message; the rest are counted. */
const LISTED_ALERTS = 12;

const proposalKey = (detectionId: string): string => `detection:${detectionId}:proposal`;

export interface DetectionAnnouncer {
  /** The detection's message(s) as the store has them now. */
  refresh(detection: DetectionRecord): Promise<void>;
  askedAgain(incident: IncidentRecord, detection: DetectionRecord, reason: string): Promise<void>;
  recovered(incident: IncidentRecord, detection: DetectionRecord, resolvedAt: Date): Promise<void>;
  /** ctoUserIds: the CTO role with user groups expanded. */
  autopilotNotice(incident: IncidentRecord, reason: string, ctoUserIds: readonly string[]): Promise<void>;
}

function formatValue(alert: AlertState): string | undefined {
  if (alert.value === undefined) return undefined;
  if (alert.kind === 'five_xx_rate' || alert.kind === 'error_rate' || alert.kind === 'auth_broken')
    return `${Math.round(alert.value * 1000) / 10}%`;
  if (alert.kind === 'p95_latency' && alert.source === 'probe') return `${Math.round(alert.value)} ms`;
  return String(Math.round(alert.value * 1000) / 1000);
}

function line(alert: AlertState): AlertLineView {
  const view: AlertLineView = {
    source: sourcesOf([alert]),
    summary: alert.summary,
    firing: alert.firing,
    repeats: alert.repeats,
    firstSeenAt: alert.firstSeenAt,
    lastSeenAt: alert.lastSeenAt,
  };
  const value = formatValue(alert);
  if (value) view.value = value;
  if (alert.resolvedAt) view.resolvedAt = alert.resolvedAt;
  return view;
}

/** Who a detected trigger pages: the DevOps lead(s) and whoever is on call. */
function ownersOf(service: ServiceConfig): string[] {
  return [...new Set([...service.roles.devopsLead, ...service.roles.onCall])];
}

export function createDetectionAnnouncer(deps: {
  store: DetectionStore;
  notifier: Notifier;
  services: readonly ServiceConfig[];
  clock: Clock;
}): DetectionAnnouncer {
  const { store, notifier } = deps;

  const view = async (detection: DetectionRecord, service: ServiceConfig): Promise<DetectionView> => {
    const now = deps.clock.now();
    const [alerts, totals] = await Promise.all([
      store.episodeAlerts(service.name, detection.since, LISTED_ALERTS),
      store.alertTotals(service.name, detection.since, now),
    ]);
    const out: DetectionView = {
      timeZone: service.workingHours.timeZone,
      service: serviceRef(service),
      level: detection.level,
      reason: detection.reason,
      owners: ownersOf(service),
      alerts: alerts.map(line),
      totals,
      since: detection.since,
      autopilot: service.autopilot && detection.level === 'must' && detection.incident?.origin === 'detection',
    };
    if (detection.rule) out.ruleTitle = RULE_TITLES[detection.rule];
    if (detection.incident) out.incident = { id: detection.incident.id };
    if (detection.monitor) out.monitor = { by: detection.monitor.by, until: detection.monitor.until };
    if (detection.endedAt) out.ended = { at: detection.endedAt, reason: detection.endReason ?? 'over' };
    return out;
  };

  return {
    async refresh(detection) {
      const service = findService(deps.services, detection.service);
      const rendered = await view(detection, service);
      const channel = service.slack.alertsChannel;
      if (detection.proposalPosted) {
        await notifier.send({
          key: proposalKey(detection.id),
          channel,
          ...detectionProposal({ ...rendered, detectionId: detection.id }),
        });
      }
      if (detection.incident) {
        const id = detection.incident.id;
        await notifier.send({
          key: messageKey(id, 'detection'),
          channel,
          threadKey: messageKey(id, 'root'),
          ...detectionSummary(rendered),
        });
      }
    },

    async askedAgain(incident, detection, reason) {
      const service = findService(deps.services, incident.service);
      const round = detection.askedAgain + 1;
      await notifier.send({
        key: messageKey(incident.id, `asked-again:${round}`),
        channel: service.slack.alertsChannel,
        threadKey: messageKey(incident.id, 'root'),
        ...askedAgain({
          timeZone: service.workingHours.timeZone,
          service: serviceRef(service),
          incident: { id: incident.id },
          reason,
          owners: ownersOf(service),
          monitoredBy: detection.monitor?.by ?? 'someone',
          monitoredSince: detection.monitor?.at ?? detection.updatedAt,
          round,
        }),
      });
    },

    async recovered(incident, detection, resolvedAt) {
      const service = findService(deps.services, incident.service);
      const totals = await store.alertTotals(service.name, detection.since, deps.clock.now());
      await notifier.send({
        key: messageKey(incident.id, 'recovered'),
        channel: service.slack.alertsChannel,
        threadKey: messageKey(incident.id, 'root'),
        ...recovered({
          timeZone: service.workingHours.timeZone,
          service: serviceRef(service),
          incident: { id: incident.id },
          resolvedAt,
          closedAt: incident.closedAt ?? deps.clock.now(),
          alerts: totals.alerts,
          notifications: totals.notifications,
        }),
      });
    },

    async autopilotNotice(incident, reason, ctoUserIds) {
      const service = findService(deps.services, incident.service);
      const notice = autopilotNotice({
        timeZone: service.workingHours.timeZone,
        service: serviceRef(service),
        incident: { id: incident.id },
        reason,
        at: incident.openedAt,
      });
      // Same keys as the announcer's after-hours notice: a CTO is told once per incident.
      await sendToEach(notifier, ctoUserIds, (cto) => messageKey(incident.id, `cto:${cto}`), notice);
    },
  };
}

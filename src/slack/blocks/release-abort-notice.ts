/**
 * The CTO's direct message when the guard aborted a release on a MUST trigger
 * on the canary: the bot acted by itself, at any hour, so the notice says
 * which release, at what share of traffic, on what evidence, where traffic is,
 * and that nobody needs to approve anything. Shaped as every CTO notice.
 */
import type { Release } from '../../rollback/release/release';
import { ctoInformation } from './cto-notice';
import { describeIncident, describeService } from './describe';
import type { SlackMessage } from './elements';
import { formatDateTime } from './format';
import { named } from './release-thread';
import { escapeMrkdwn, truncate } from './text';
import type { IncidentRef, ServiceRef } from './view-models';

export const RELEASE_ABORT_TITLE = '🛑 Release aborted on a MUST trigger';

export interface ReleaseAbortNoticeView {
  readonly timeZone: string;
  readonly service: ServiceRef;
  readonly release: Pick<Release, 'id' | 'canary' | 'base'>;
  /** Share of production traffic (0-100) the canary had when it was aborted. */
  readonly percent: number;
  /** The MUST trigger and its evidence, in the guard's words. */
  readonly trigger: string;
  readonly at: Date;
  /**
   * rolling_back: an incident's instant rollback to the base is under way; rolling_back_elsewhere: the open
   * incident was already rolling back to another target, which takes traffic off the canary; aborted_on_vercel:
   * the bot aborted the rolling release on Vercel itself and all traffic is back on the base; abort_failed: that
   * abort did not go through (the guard asks again each round).
   */
  readonly traffic: 'rolling_back' | 'rolling_back_elsewhere' | 'aborted_on_vercel' | 'abort_failed';
  /** The incident whose thread follows the rollback; absent when none carries it. */
  readonly incident?: IncidentRef;
  /** The alerts channel, where the incident's and the release's threads are. */
  readonly channelId: string;
}

const TRAFFIC_WORDS: Record<ReleaseAbortNoticeView['traffic'], string> = {
  rolling_back:
    'going back to the base deployment by an instant rollback (ROLLBACK IN PROGRESS); the incident thread says ' +
    'ROLLBACK COMPLETE once all of it is there.',
  rolling_back_elsewhere:
    "leaving the canary with the open incident's own rollback, already under way to another target than the " +
    'base (its instant rollback ends the release); the incident thread says where.',
  aborted_on_vercel: 'back on the base deployment: the bot aborted the rolling release on Vercel itself.',
  abort_failed:
    "*not confirmed off the canary*: the bot's abort on Vercel did not go through; the release thread says why, " +
    'and the bot asks Vercel again every guard round.',
};

export function releaseAbortNotice(view: ReleaseAbortNoticeView): SlackMessage {
  const when = formatDateTime(view.at, view.timeZone);
  const service = describeService(view.service);
  const release = escapeMrkdwn(view.release.id);
  const thread = `thread in <#${view.channelId}>`;
  return ctoInformation({
    title: RELEASE_ABORT_TITLE,
    summary:
      `rollback-bot aborted release ${release} of ${service} (canary ${escapeMrkdwn(view.release.canary.id)}) ` +
      `at ${view.percent}% of traffic${view.incident ? ` (${escapeMrkdwn(view.incident.id)})` : ''}.`,
    lines: [
      `rollback-bot aborted release ${release} of *${service}* by itself at ${when}, on a MUST trigger on the ` +
        'canary: no person pressed anything.',
      `*Canary:* ${named(view.release.canary)}, aborted at *${view.percent}%* of production traffic`,
      `*Base:* ${named(view.release.base)}`,
      `*Trigger:* ${escapeMrkdwn(truncate(view.trigger.trim(), 1500))}`,
      `*Traffic:* ${TRAFFIC_WORDS[view.traffic]}`,
      view.incident
        ? `*Incident:* ${describeIncident(view.incident)}, ${thread}`
        : `*Release:* no incident carries this abort; the release's ${thread}`,
    ],
    note:
      'For information: Nobody needs to approve anything. The runbook aborts a release at once on a MUST ' +
      'trigger, at any hour.',
  });
}

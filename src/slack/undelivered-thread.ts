/**
 * When Slack refuses an incident's thread (the bot is not in the channel, the
 * channel is archived or gone), the incident goes on and people still hear
 * about it: by direct message, the requester (and the CTO when the bot acted
 * on its own) gets the problem and its fix, the approvers get the approval
 * requests, and the outcome reaches the requester. The thread itself stays in
 * the outbox, retried at a slow pace, and is posted once it can be.
 */
import type { ServiceConfig } from '../config/service-schema';
import type { IncidentRecord } from '../rollback/ports/incident-store';
import type { Notifier } from './outbox/notifier';
import type { SlackMessage } from './blocks/elements';
import { escapeMrkdwn } from './blocks/text';

const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** What Slack's refusal means and what a person does about it. */
const REFUSAL_FIX: Record<string, string> = {
  not_in_channel: 'invite the bot: `/invite @rollback-bot` in that channel',
  channel_not_found:
    'check the channel id in the services file (for a private channel, also `/invite @rollback-bot` there)',
  is_archived: 'unarchive the channel or point the service at another channel',
  invalid_blocks: 'nothing: the text of each message is posted instead (a bug in a message builder; report it)',
};

/** "thread not delivered: <reason>" for /rollback status and App Home. */
export function threadNotDelivered(refusal: string): string {
  return `thread not delivered: ${refusal} (fix: ${REFUSAL_FIX[refusal] ?? 'see the bot log'})`;
}

interface UndeliveredThread {
  incident: IncidentRecord;
  service: ServiceConfig;
  refusal: string;
  /** The CTO role as user ids: user groups already expanded (through the role directory). */
  ctos: readonly string[];
  /** Messages someone must act on (approval requests, the hotfix question): to the people who can. */
  toApprovers: { part: string; message: SlackMessage }[];
  /** The hotfix question or any message the requester answers. */
  toRequester: { part: string; message: SlackMessage }[];
  /** ROLLBACK COMPLETE / FAILED / cancelled, once there is one. */
  outcome?: { text: string; blocks?: SlackMessage['blocks'] };
}

const users = (ids: readonly string[]): string[] => [...new Set(ids.filter((id) => USER_ID.test(id)))];

/** Sends (or updates: stable keys) the direct messages that stand in for a thread Slack refuses. */
export async function tellPeopleDirectly(notifier: Notifier, thread: UndeliveredThread): Promise<void> {
  const { incident, service, refusal } = thread;
  const ctos = users(thread.ctos);
  const requester = users([incident.data.requestedBy]);
  // A rollback nobody typed (the bot's autopilot, an alert) has no requester to tell: the CTO hears instead.
  const told = requester.length > 0 ? requester : ctos;
  const key = (part: string, user: string): string => `incident:${incident.id}:dm:${part}:${user}`;
  const channel = incident.channelId ? `<#${incident.channelId}>` : 'the alerts channel';
  const notice =
    `:warning: ${incident.id} (${escapeMrkdwn(service.displayName ?? service.name)}): ` +
    `the incident thread could not be posted in ${channel}: \`${refusal}\`.\n` +
    `Fix: ${REFUSAL_FIX[refusal] ?? 'see the bot log'}. The thread is tried again ` +
    `every few minutes and appears there once it can; ` +
    'until then approvals and the outcome come here.';
  for (const user of told) await notifier.sendDirect(user, key('undelivered', user), notice);
  for (const user of told)
    for (const { part, message } of thread.toRequester)
      await notifier.sendDirect(user, key(part, user), message.text, message.blocks);
  for (const user of ctos)
    for (const { part, message } of thread.toApprovers)
      await notifier.sendDirect(user, key(part, user), message.text, message.blocks);
  if (thread.outcome)
    for (const user of told)
      await notifier.sendDirect(user, key('outcome', user), thread.outcome.text, thread.outcome.blocks);
}

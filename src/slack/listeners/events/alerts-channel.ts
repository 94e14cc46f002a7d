/**
 * Every message in a service's alerts channel, from people, other bots and
 * integrations alike (Alertmanager, Grafana, Datadog, Sentry post as
 * bot_message or as apps), goes through the alert intake. Our own messages,
 * edits, deletions, joins and thread replies (conversation about an alert,
 * not a new one) are skipped; a message no parser recognises is ignored
 * quietly. Slack has the event acknowledged before this runs. Over HTTP
 * these events are taken before Bolt by ../../alerts-fast-path.ts, which uses
 * isAlertCandidate and the same intake; this listener serves Socket Mode.
 */
import type { App } from '@slack/bolt';
import type { ServiceConfig } from '../../../config/service-schema';
import type { AlertIntake } from '../../../watch';
import type { Logger } from '../../../logger';
import type { SlackMessageLike } from '../../../rollback/signals';

/** Subtypes that carry a new message; edits, deletions, joins, topic changes... do not. */
const NEW_MESSAGE_SUBTYPES = new Set([undefined, 'bot_message', 'file_share', 'me_message', 'thread_broadcast']);

interface AlertsChannelDeps {
  services: readonly ServiceConfig[];
  detection: { intake: AlertIntake };
  logger: Logger;
}

export interface ChannelMessage extends SlackMessageLike {
  channel?: string;
  user?: string;
  thread_ts?: string;
}

/** Whether a message event is a new top-level message in an alerts channel, not sent by this app. */
export function isAlertCandidate(
  message: ChannelMessage,
  alertChannels: ReadonlySet<string>,
  self: { botId?: string; botUserId?: string },
): boolean {
  if (!message.channel || !alertChannels.has(message.channel)) return false;
  if (!NEW_MESSAGE_SUBTYPES.has(message.subtype)) return false;
  if (message.thread_ts !== undefined && message.thread_ts !== message.ts && message.subtype !== 'thread_broadcast')
    return false;
  if (self.botId !== undefined && message.bot_id === self.botId) return false;
  if (self.botUserId !== undefined && message.user === self.botUserId) return false;
  return true;
}

export function registerAlertsChannel(app: App, deps: AlertsChannelDeps): void {
  const channels = new Set(deps.services.map((s) => s.slack.alertsChannel));
  app.event('message', async ({ event, context }) => {
    const message = event as unknown as ChannelMessage;
    if (!isAlertCandidate(message, channels, { botId: context.botId, botUserId: context.botUserId })) return;
    try {
      // Not waited for: Slack already has its answer, and the intake logs a failed write itself.
      deps.detection.intake.fromSlackMessage(message);
    } catch (error) {
      deps.logger.warn(
        { err: error, channel: message.channel, ts: message.ts },
        'alerts-channel message could not be read',
      );
    }
  });
}

/** What the Slack delivery fault tests share: the alerts channel and the bot's DMs to a user. */
import type { SlackStandin } from '../../../src/standins/slack/server';

export const CHANNEL = 'C0PRODALRT';

/** The bot's posts in its DM with this user. */
export const dmsIn = (slack: SlackStandin, user: string) => {
  const dm = slack.callsOf('conversations.open').find((c) => c.params.users === user && c.answer.ok)?.answer.channel as
    { id: string } | undefined;
  return slack.callsOf('chat.postMessage').filter((c) => c.answer.ok && dm && c.params.channel === dm.id);
};

/**
 * Issue 13, through the running bot over HTTP against the Slack stand-in:
 * a refused thread reaches every member of a CTO user group by DM, and a Slack answer
 * slower than the bot's client timeout is not posted twice.
 */
import { waitFor } from '../support/wait';
import { SERVICE, useWorld } from '../support/incident-world';
import {
  breakProduction,
  mentions,
  startedIncident,
  threadOf,
  waitForIncident,
  waitForThreadDelivered,
} from './support/incident-checks';
import { rows } from '../support/database';
import { CHANNEL, dmsIn } from './support/slack-delivery';

jest.setTimeout(60_000);

describe('a refused thread when the CTO role is a Slack user group', () => {
  const ctx = useWorld('slack_delivery_cto_group', {
    service: { roles: { devopsLead: ['U0DEVOPS1'], cto: ['S0CTOGRP1'], dba: ['U0DBADMIN'], onCall: ['S0ONCALL1'] } },
  });

  it('the approval request reaches every member of the group by DM', async () => {
    const { world } = ctx;
    world.slack.setBotMember(CHANNEL, false);
    try {
      await world.bot.sender.slashCommand({
        text: `reset ${SERVICE} ${world.history.goodCommit} bad release`,
        userId: 'U0DEVOPS1',
      });
      const incident = await world.bot.bot.engine.deps.store.findOpenIncident(SERVICE);
      if (!incident) throw new Error('the reset request opened no incident');
      const [approval] = await world.bot.bot.engine.deps.store.approvalsFor(incident.id);
      if (!approval) throw new Error('the reset request asked for no approval');
      const approves = (user: string) => async () =>
        dmsIn(world.slack, user).some((c) => String(c.params.blocks).includes(approval.id));
      await waitFor('the first CTO of the group to get the approval request', approves('U0CTO0001'), 15_000);
      await waitFor('the second CTO of the group to get it too', approves('U0BOTH001'), 15_000);
      // Not someone outside the group.
      expect(await approves('U0DBADMIN')()).toBe(false);
    } finally {
      world.slack.setBotMember(CHANNEL, true);
    }
  });
});

describe("Slack answers slower than the bot's client timeout", () => {
  // The client gives up after 0.7 s (8 s in production); Slack takes 2 s but does post.
  const ctx = useWorld('slack_slow_answer', { slackCallTimeoutMs: 700 });

  it(
    "the first post's answer is lost: it is found in the channel history and updated, " + 'never posted twice',
    async () => {
      const { world, database } = ctx;
      const { good } = breakProduction(world, 1);
      world.slack.inject('chat.postMessage', { delayMs: 2000 });
      const id = startedIncident(
        (
          await world.bot.sender.slashCommand({
            text: `${SERVICE} to ${good.id} orders timing out`,
            userId: 'U0DEVOPS1',
          })
        ).json() as { text: string },
      );
      const root = await world.slack.waitForCall(
        (c) => c.method === 'chat.postMessage' && c.answer.ok && mentions('ROLLBACK IN PROGRESS')(c),
        10_000,
      );
      await waitForIncident(database.url, id, 'resolved');
      await waitFor('the lost answer to be recorded', async () => {
        const [row] = await rows<{ post_started_at: Date | null; ts: string | null; last_error: string | null }>(
          database.url,
          'SELECT post_started_at, ts, last_error FROM slack_outbox WHERE key = $1',
          [`incident:${id}:root`],
        );
        return row?.ts === null && row.post_started_at !== null && row.last_error !== null;
      });
      // The bot waits for a request Slack may still be working on to land, then looks before posting.
      world.clock.advance(30_000);
      await waitForThreadDelivered(database.url, id);
      const thread = await threadOf(database.url, world.slack, id);
      expect(thread.root.answer.ts).toBe(root.answer.ts);
      expect(
        world.slack
          .callsOf('chat.postMessage')
          .filter((c) => !c.params.thread_ts && mentions('ROLLBACK IN PROGRESS')(c)),
      ).toHaveLength(1);
      expect(thread.replies.filter(mentions('ROLLBACK COMPLETE'))).toHaveLength(1);
      expect(
        world.slack.callsOf('conversations.history').filter((c) => c.params.channel === CHANNEL && c.answer.ok),
      ).toHaveLength(1);
    },
  );
});

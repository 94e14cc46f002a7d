/**
 * Issue 13, through the running bot over HTTP against the Slack stand-in:
 * Slack limits for long and refuses the alerts channel until the bot is invited,
 * and the bot still posts each message once and leaves nobody unanswered.
 * Slack's long waits (Retry-After 15 s, the slow retry of a refused channel)
 * run on the world's clock, moved forward by the test.
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

describe('Slack delivery: never twice, never silent', () => {
  const ctx = useWorld('slack_delivery');
  const dmsTo = (user: string) => dmsIn(ctx.world.slack, user);

  it(
    "a Retry-After of 15 s on the incident's first post: one ROLLBACK IN PROGRESS " + 'root, one ROLLBACK COMPLETE',
    async () => {
      const { world, database } = ctx;
      const { good } = breakProduction(world, 1);
      world.slack.inject('chat.postMessage', { status: 429, retryAfterSeconds: 15 });
      const id = startedIncident(
        (
          await world.bot.sender.slashCommand({ text: `${SERVICE} to ${good.id} checkout broken`, userId: 'U0DEVOPS1' })
        ).json() as { text: string },
      );
      await world.slack.waitForCall((c) => c.method === 'chat.postMessage' && c.status === 429);
      await waitForIncident(database.url, id, 'resolved');
      // Nothing goes out in the 15 s Slack asked for (the client does not re-send by itself either).
      await new Promise((r) => setTimeout(r, 500));
      expect(world.slack.callsOf('chat.postMessage').filter((c) => c.params.channel === CHANNEL)).toHaveLength(1);
      world.clock.advance(15_000);
      await waitForThreadDelivered(database.url, id);

      const thread = await threadOf(database.url, world.slack, id);
      expect(thread.root.params.text).toMatch(/ROLLBACK IN PROGRESS/);
      expect(thread.replies.filter(mentions('ROLLBACK COMPLETE'))).toHaveLength(1);
      const roots = world.slack
        .callsOf('chat.postMessage')
        .filter((c) => c.answer.ok && !c.params.thread_ts && mentions('ROLLBACK IN PROGRESS')(c));
      expect(roots).toHaveLength(1);
      // Every post carries its outbox key, so a lost answer can be found instead of repeated.
      expect(JSON.parse(String(thread.root.params.metadata))).toEqual({
        event_type: 'rollback_bot_outbox',
        event_payload: { key: `incident:${id}:root` },
      });
    },
  );

  it(
    'the bot is not in the alerts channel: the rollback goes on, the requester is ' +
      'told the fix and the outcome by DM, status says so, and the thread appears once ' +
      'the bot is invited',
    async () => {
      const { world, database } = ctx;
      const { good } = breakProduction(world, 2);
      world.slack.setBotMember(CHANNEL, false);
      world.vercel.state.nextJob = { outcome: 'succeeded', pollsPerStep: 100_000, failedAliases: [] };
      const id = startedIncident(
        (
          await world.bot.sender.slashCommand({
            text: `${SERVICE} to ${good.id} sign-in returns 500`,
            userId: 'U0DEVOPS1',
          })
        ).json() as { text: string },
      );

      const notice = await waitFor(
        'the requester to hear why the thread is missing',
        async () => dmsTo('U0DEVOPS1').find(mentions(`${id} `)) ?? false,
      );
      expect(String(notice.params.text)).toContain('not_in_channel');
      expect(String(notice.params.text)).toContain('/invite @rollback-bot');

      await world.bot.sender.slashCommand({
        text: `status ${SERVICE}`,
        userId: 'U0DEVOPS1',
        responseId: 'status-undelivered',
      });
      const status = await world.slack.waitForResponse(
        (r) => r.id === 'status-undelivered' && JSON.stringify(r.body).includes(id),
        15_000,
      );
      expect(JSON.stringify(status.body)).toContain('thread not delivered: not_in_channel');

      while (world.vercel.state.jobRunning()) world.vercel.state.tickJob();
      world.vercel.state.nextJob = { outcome: 'succeeded', pollsPerStep: 1, failedAliases: [] };
      await waitForIncident(database.url, id, 'resolved');
      await waitFor('the outcome to reach the requester by DM', async () =>
        dmsTo('U0DEVOPS1').some(mentions('ROLLBACK COMPLETE')),
      );
      expect(
        world.slack
          .callsOf('chat.postMessage')
          .filter((c) => c.answer.ok && c.params.channel === CHANNEL && mentions(id)(c)),
      ).toEqual([]);

      world.slack.setBotMember(CHANNEL, true);
      world.clock.advance(5 * 60_000);
      await waitForThreadDelivered(database.url, id);
      const thread = await threadOf(database.url, world.slack, id);
      expect(thread.replies.filter(mentions('ROLLBACK COMPLETE'))).toHaveLength(1);
      const [root] = await rows<{ refusal: string | null }>(
        database.url,
        'SELECT refusal FROM slack_outbox WHERE key = $1',
        [`incident:${id}:root`],
      );
      expect(root?.refusal).toBeNull();
    },
  );

  it(
    'a /rollback is acknowledged at once while Slack limits posts for 15 s and takes ' +
      '6 s to list a user group: roles come from the cache',
    async () => {
      const { world, database } = ctx;
      const { good } = breakProduction(world, 3);
      // The cached on-call group is stale now: it is refreshed behind the answer, not before it.
      world.clock.advance(2 * 60_000);
      world.slack.inject('usergroups.users.list', { delayMs: 6000 });
      world.slack.inject('chat.postMessage', { status: 429, retryAfterSeconds: 15 });
      const answer = await world.bot.sender.slashCommand({
        text: `${SERVICE} to ${good.id} payments failing`,
        userId: 'U0DEVOPS1',
      });
      expect(answer.status).toBe(200);
      expect(answer.durationMs).toBeLessThan(2500);
      const id = startedIncident(answer.json() as { text: string });
      await waitForIncident(database.url, id, 'resolved');
      world.clock.advance(15_000);
      await waitForThreadDelivered(database.url, id);
      await waitFor(
        'the group to be read again in the background',
        async () => world.slack.callsOf('usergroups.users.list').length >= 2,
        10_000,
      );
    },
  );
});

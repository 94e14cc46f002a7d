/**
 * Issue 13, through the running bot over HTTP against the Slack stand-in:
 * Slack limits for long, refuses the alerts channel until the bot is invited,
 * and the bot still posts each message once and leaves nobody unanswered.
 * Slack's long waits (Retry-After 15 s, the slow retry of a refused channel)
 * run on the world's clock, moved forward by the test.
 */
import type { SlackStandin } from '../../src/standins/slack/server';
import { ROLLBACK_MODAL_CALLBACK_ID, ROLLBACK_MODAL_FIELDS as F } from '../../src/slack/action-ids';
import { STILL_WORKING } from '../../src/slack/listeners/commands/rollback';
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

jest.setTimeout(60_000);

const CHANNEL = 'C0PRODALRT';

/** The bot's posts in its DM with this user. */
const dmsIn = (slack: SlackStandin, user: string) => {
  const dm = slack.callsOf('conversations.open').find((c) => c.params.users === user && c.answer.ok)?.answer.channel as
    { id: string } | undefined;
  return slack.callsOf('chat.postMessage').filter((c) => c.answer.ok && dm && c.params.channel === dm.id);
};

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

  it('a click on a button this version does not know is answered at once with a hint, not a 404', async () => {
    const { world } = ctx;
    const answer = await world.bot.sender.blockAction({
      userId: 'U0DEVOPS1',
      actionId: 'rollback_retry_step_v1',
      value: 'INC-OLD',
      responseId: 'old-button',
    });
    expect(answer.status).toBe(200);
    expect(answer.durationMs).toBeLessThan(1000);
    const hint = await world.slack.waitForResponse((r) => r.id === 'old-button');
    expect(hint.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('/rollback status') });
  });

  it(
    'a /rollback form whose answer takes longer than Slack waits: the form closes at ' +
      'once and the result comes by DM, not as an ephemeral in a channel',
    async () => {
      const { world, database } = ctx;
      const { good } = breakProduction(world, 5);
      world.slack.inject('usergroups.users.list', { error: 'internal_error' }, { delayMs: 4000 });
      const replica = await world.startReplica();
      try {
        const values = {
          [F.service.blockId]: { [F.service.actionId]: { type: 'static_select', selected_option: { value: SERVICE } } },
          [F.what.blockId]: { [F.what.actionId]: { type: 'radio_buttons', selected_option: { value: 'application' } } },
          [F.target.blockId]: { [F.target.actionId]: { type: 'plain_text_input', value: good.id } },
          [F.reason.blockId]: { [F.reason.actionId]: { type: 'plain_text_input', value: 'form from a DM' } },
        };
        // Opened from a DM with the bot: no channel could carry an ephemeral answer.
        const submitted = await replica.sender.interaction({
          type: 'view_submission',
          user: { id: 'U0DEVOPS1' },
          view: {
            id: 'V9',
            type: 'modal',
            callback_id: ROLLBACK_MODAL_CALLBACK_ID,
            private_metadata: 'D0DEVOPS1',
            state: { values },
          },
        });
        expect(submitted.status).toBe(200);
        expect(submitted.durationMs).toBeLessThan(3000);
        const dm = await world.slack.waitForCall(
          (c) =>
            c.method === 'chat.postMessage' &&
            c.params.channel === 'U0DEVOPS1' &&
            c.answer.ok &&
            /started as INC-/.test(String(c.params.text)),
          15_000,
        );
        const id = startedIncident({ text: String(dm.params.text) });
        await waitForIncident(database.url, id, 'resolved');
        await replica.bot.engine.runner.idle();
        expect(world.slack.callsOf('chat.postEphemeral')).toEqual([]);
      } finally {
        await replica.stop();
      }
    },
  );

  it(
    'membership of the alerts channel is checked at start (a warning naming the ' +
      'channel and the fix), in /rollback preflight and on App Home',
    async () => {
      const { world } = ctx;
      world.slack.setBotMember(CHANNEL, false);
      const replica = await world.startReplica();
      try {
        await waitFor(
          'the start-up warning',
          async () =>
            replica.logs.some((l) => l.includes('"level":"warn"') || l.includes('"level":40')) &&
            replica.logs.some((l) => l.includes(`not in <#${CHANNEL}>`) && l.includes('/invite @rollback-bot')),
        );
        await replica.sender.slashCommand({
          text: `preflight ${SERVICE}`,
          userId: 'U0DEVOPS1',
          responseId: 'preflight-member',
        });
        const preflight = await world.slack.waitForResponse((r) => r.id === 'preflight-member', 30_000);
        expect(JSON.stringify(preflight.body)).toContain(`the bot is not in <#${CHANNEL}>`);
        await replica.sender.event(
          {
            type: 'app_home_opened',
            user: 'U0DEVOPS1',
            channel: 'D0HOME01',
            tab: 'home',
            event_ts: '1768900000.000200',
          },
          { eventId: 'Ev0HOMEMEMBER' },
        );
        const home = await world.slack.waitForCall(
          (c) => c.method === 'views.publish' && c.params.user_id === 'U0DEVOPS1' && c.answer.ok,
          10_000,
        );
        expect(String(home.params.view)).toContain('/invite @rollback-bot');
      } finally {
        await replica.stop();
        world.slack.setBotMember(CHANNEL, true);
      }
    },
  );

  it(
    'a /rollback typed in a DM or in a channel the bot is not in is answered there ' +
      '(ack or response_url, never chat.postEphemeral); a response_url Slack refuses ' +
      'falls back to a DM',
    async () => {
      const { world } = ctx;
      const ephemeralsBefore = world.slack.callsOf('chat.postEphemeral').length;
      // A refusal is in the ack itself: it shows wherever the command was typed.
      const refused = await world.bot.sender.slashCommand({
        text: `${SERVICE} sign-in broken`,
        userId: 'U0NOBODY1',
        channelId: 'D0NOBODY1',
      });
      expect((refused.json() as { text: string }).text).toMatch(/^:warning: /);
      // A slow answer goes to response_url, which Slack accepts from any channel.
      await world.bot.sender.slashCommand({
        text: `status ${SERVICE}`,
        userId: 'U0DEVOPS1',
        channelId: 'D0DEVOPS1',
        responseId: 'dm-status',
      });
      const status = await world.slack.waitForResponse((r) => r.id === 'dm-status', 15_000);
      expect(JSON.stringify(status.body)).toContain(SERVICE);
      // Slack refuses a response_url after 30 minutes or 5 uses: the answer comes by DM instead of nowhere.
      world.slack.expireResponseUrl('gone-plan');
      const ack = await world.bot.sender.slashCommand({
        text: `plan ${SERVICE}`,
        userId: 'U0DEVOPS1',
        channelId: 'C0NOTHERE',
        responseId: 'gone-plan',
      });
      expect((ack.json() as { text: string }).text).toMatch(/^Working out the plan/);
      const dm = await world.slack.waitForCall(
        (c) => c.method === 'chat.postMessage' && c.params.channel === 'U0DEVOPS1' && c.answer.ok,
        15_000,
      );
      expect(String(dm.params.text)).not.toMatch(/^Working out the plan/);
      expect(String(dm.params.text)).toContain(SERVICE);
      expect(world.slack.responses.filter((r) => r.id === 'gone-plan')).toEqual([]);
      expect(world.slack.callsOf('chat.postEphemeral')).toHaveLength(ephemeralsBefore);
    },
  );

  it(
    'a role lookup that cannot come from the cache (group never read) and a slow ' +
      'Slack: acknowledged at once, answered through response_url',
    async () => {
      const { world, database } = ctx;
      const { good } = breakProduction(world, 4);
      // The new replica cannot read the on-call group at start, and the read at the command takes 5 s.
      world.slack.inject('usergroups.users.list', { error: 'internal_error' }, { delayMs: 5000 });
      const replica = await world.startReplica();
      try {
        const answer = await replica.sender.slashCommand({
          text: `${SERVICE} to ${good.id} search down`,
          userId: 'U0DEVOPS1',
          responseId: 'slow-roles',
        });
        expect(answer.durationMs).toBeLessThan(3000);
        expect((answer.json() as { text: string }).text).toBe(STILL_WORKING);
        const later = await world.slack.waitForResponse((r) => r.id === 'slow-roles', 15_000);
        const id = startedIncident(later.body as { text: string });
        await waitForIncident(database.url, id, 'resolved');
        await replica.bot.engine.runner.idle();
      } finally {
        await replica.stop();
      }
    },
  );
});

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

/**
 * Issue 13, through the running bot over HTTP against the Slack stand-in:
 * every command and click is answered where Slack can show it (ack, response_url or DM)
 * when the answer is slow, the channel is not joined or a response_url is refused.
 */
import { ROLLBACK_MODAL_CALLBACK_ID, ROLLBACK_MODAL_FIELDS as F } from '../../src/slack/action-ids';
import { STILL_WORKING } from '../../src/slack/listeners/commands/rollback';
import { waitFor } from '../support/wait';
import { SERVICE, useWorld } from '../support/incident-world';
import { breakProduction, startedIncident, waitForIncident } from './support/incident-checks';
import { CHANNEL } from './support/slack-delivery';

jest.setTimeout(60_000);

describe('Slack delivery: never twice, never silent', () => {
  const ctx = useWorld('slack_delivery_answers');

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

/**
 * Issue 8, Slack: the whole bot against a Slack stand-in that goes down in
 * the middle of a rollback, answers 429 with Retry-After, 5xx and Slack's own
 * transient ok:false, and a Slack that retries a request three times or hands
 * the same delivery to two replicas. Each test proves the rollback goes on
 * regardless and that what Slack gets is every message once, in order, and
 * every request handled once.
 */
import { ROLLBACK_NOW } from '../../src/slack/action-ids';
import { openQuestionIncident } from '../../src/rollback/incident/hotfix';
import type { RecordedCall } from '../../src/standins/slack/server';
import { waitFor } from '../support/wait';
import { SERVICE, useWorld } from '../support/incident-world';
import {
  breakProduction,
  expectTimelineWithoutGaps,
  mentions,
  startedIncident,
  threadOf,
  waitForIncident,
  waitForThreadDelivered,
} from './support/incident-checks';
import { rows } from '../support/database';

jest.setTimeout(60_000);

interface OutboxRow {
  key: string;
  seq: string;
  ts: string | null;
  thread_key: string | null;
  version: number;
  sent_version: number;
  attempts: number;
  last_error: string | null;
}

describe('Slack faults during a rollback', () => {
  const ctx = useWorld('faults_slack');
  const outbox = (id: string) =>
    rows<OutboxRow>(
      ctx.database.url,
      'SELECT key, seq, ts, thread_key, version, sent_version, attempts, last_error ' +
        'FROM slack_outbox WHERE key LIKE $1 ORDER BY seq',
      [`incident:${id}:%`],
    );
  const rollbackPosts = () => ctx.world.vercel.state.count('POST', '/rollback/');
  const metric = async (kind: string, outcome: string): Promise<number> => {
    const text = await (await fetch(`${ctx.world.bot.baseUrl}/metrics`)).text();
    return Number(
      new RegExp(`rollback_bot_slack_deliveries_total\\{kind="${kind}",outcome="${outcome}"\\} (\\d+)`).exec(
        text,
      )?.[1] ?? 0,
    );
  };

  /**
   * Every stored message of the incident reached Slack exactly once: one chat.postMessage per
   * message (later versions are chat.update), posted in the order the bot stored them.
   */
  async function expectEachMessageOnceInOrder(id: string): Promise<RecordedCall[]> {
    const stored = await outbox(id);
    expect(stored.every((m) => m.sent_version === m.version)).toBe(true);
    const byTs = new Map(stored.map((m) => [m.ts, m.key]));
    const posts = ctx.world.slack
      .callsOf('chat.postMessage')
      .filter((c) => c.answer.ok && byTs.has(String(c.answer.ts)));
    expect(posts.map((c) => byTs.get(String(c.answer.ts)))).toEqual(stored.map((m) => m.key));
    const thread = await threadOf(ctx.database.url, ctx.world.slack, id);
    // Nothing else was posted in the thread: no duplicate of a message under another ts.
    expect(thread.replies).toHaveLength(stored.filter((m) => m.thread_key !== null).length);
    expect(thread.replies.filter(mentions('ROLLBACK COMPLETE'))).toHaveLength(1);
    return posts;
  }

  it(
    'keeps rolling back through a Slack outage that starts mid-rollback; afterwards ' +
      'the thread catches up, each message once, in order',
    async () => {
      const { world, database } = ctx;
      const { good } = breakProduction(world, 1);
      // The alias job only ends when the test says, so the outage surely starts while production is moving.
      world.vercel.state.nextJob = { outcome: 'succeeded', pollsPerStep: 100_000, failedAliases: [] };
      const id = startedIncident(
        (
          await world.bot.sender.slashCommand({
            text: `${SERVICE} to ${good.id} sign-in returns 500`,
            userId: 'U0DEVOPS1',
          })
        ).json() as { text: string },
      );
      await waitFor('IN PROGRESS in Slack while Vercel moves production', async () => {
        const root = (await outbox(id)).find((m) => m.key.endsWith(':root'));
        return (
          root?.sent_version === 1 &&
          world.vercel.state.jobRunning() &&
          world.vercel.state.project.lastAliasRequest?.toDeploymentId === good.id
        );
      });

      world.slack.setOutage(true);
      while (world.vercel.state.jobRunning()) world.vercel.state.tickJob();
      await waitForIncident(database.url, id, 'resolved');
      // Production is back while Slack is still down, and the outbox has been trying (and failing) meanwhile.
      expect(world.vercel.state.production()?.id).toBe(good.id);
      await waitFor('the outbox to meet the outage', async () =>
        (await outbox(id)).some((m) => /HTTP 503/.test(m.last_error ?? '')),
      );
      expect((await outbox(id)).some((m) => m.sent_version < m.version)).toBe(true);

      world.slack.setOutage(false);
      world.vercel.state.nextJob = { outcome: 'succeeded', pollsPerStep: 1, failedAliases: [] };
      await waitForThreadDelivered(database.url, id);
      await expectEachMessageOnceInOrder(id);
      const { steps } = await expectTimelineWithoutGaps(database.url, id);
      expect(steps.map((s) => [s.kind, s.state, s.attempts])).toEqual([
        ['application', 'succeeded', 1],
        ['verification', 'succeeded', 1],
      ]);
      // The progress message in Slack shows the end, not what it said when the outage began.
      const progress = (await outbox(id)).find((m) => m.key.endsWith(':progress'));
      expect(JSON.stringify(world.slack.workspace.messages.get(`C0PRODALRT:${progress?.ts}`)?.blocks)).toMatch(
        /succeeded|✅/,
      );
    },
  );

  it(
    'honours 429 Retry-After and retries 5xx and transient ok:false answers of the ' +
      'Web API: every message once, the rollback unaffected',
    async () => {
      const { world, database } = ctx;
      const { good } = breakProduction(world, 2);
      world.slack.inject(
        'chat.postMessage',
        { status: 429, retryAfterSeconds: 2 },
        { status: 503 },
        { error: 'internal_error' },
      );
      const callsBefore = world.slack.calls.length;
      const id = startedIncident(
        (
          await world.bot.sender.slashCommand({ text: `${SERVICE} to ${good.id} checkout broken`, userId: 'U0DEVOPS1' })
        ).json() as { text: string },
      );
      await waitForIncident(database.url, id, 'resolved');
      await waitForThreadDelivered(database.url, id);

      const calls = world.slack.calls
        .slice(callsBefore)
        .filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update');
      const limited = calls.find((c) => c.status === 429);
      const next = calls.find((c) => limited && c.at > limited.at && c.params.channel === limited.params.channel);
      expect(limited && next && next.at - limited.at).toBeGreaterThanOrEqual(2000);
      expect(calls.filter((c) => c.status >= 500).map((c) => c.status)).toEqual([503]);
      expect(calls.filter((c) => c.status === 200 && c.answer.error === 'internal_error')).toHaveLength(1);
      await expectEachMessageOnceInOrder(id);
      expect(world.vercel.state.production()?.id).toBe(good.id);
    },
  );

  it(
    'handles a /rollback that Slack retries three times (x-slack-retry-num 1..3), all ' +
      'arriving at once, exactly once',
    async () => {
      const { world, database } = ctx;
      const { good } = breakProduction(world, 3);
      const before = { posts: rollbackPosts(), duplicates: await metric('command', 'duplicate') };
      const command = {
        text: `${SERVICE} to ${good.id} 5xx above 25%`,
        userId: 'U0DEVOPS1',
        triggerId: '4444.5555.feedfacecafe',
        responseId: 'retried',
      };
      const answers = await Promise.all(
        [undefined, 1, 2, 3].map((retryNum) => world.bot.sender.slashCommand(command, { retryNum })),
      );

      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      const started = answers.filter((a) => /started as INC-/.test(a.text));
      expect(started).toHaveLength(1);
      expect(answers.filter((a) => a.text === '')).toHaveLength(3);
      const id = startedIncident(started[0]?.json() as { text: string });
      await waitForIncident(database.url, id, 'resolved');
      expect(await rows(database.url, "SELECT id FROM incidents WHERE issue = '5xx above 25%'")).toHaveLength(1);
      expect(rollbackPosts() - before.posts).toBe(1);
      expect((await metric('command', 'duplicate')) - before.duplicates).toBe(3);
    },
  );

  it('handles an Events API delivery that Slack retries three times once', async () => {
    const { world, database } = ctx;
    const before = { handled: await metric('event', 'handled'), duplicates: await metric('event', 'duplicate') };
    const event = {
      type: 'app_mention',
      user: 'U0DEVOPS1',
      text: '<@U0ROLLBOT> status',
      channel: 'C0PRODALRT',
      ts: '1768900000.000100',
    };
    const answers = await Promise.all(
      [undefined, 1, 2, 3].map((retryNum) =>
        world.bot.sender.event(event, { eventId: 'Ev0RETRIED3' }, { retryNum, retryReason: 'http_timeout' }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    // Slack has its answer before the delivery is looked at (events are acknowledged first): wait until all four were.
    const seen = await waitFor('the four deliveries to be looked at', async () => {
      const now = {
        handled: (await metric('event', 'handled')) - before.handled,
        duplicates: (await metric('event', 'duplicate')) - before.duplicates,
      };
      return now.handled + now.duplicates === 4 && now;
    });
    expect(seen).toEqual({ handled: 1, duplicates: 3 });
    expect(
      await rows(database.url, "SELECT delivery_key FROM slack_deliveries WHERE delivery_key = 'event:Ev0RETRIED3'"),
    ).toHaveLength(1);
  });

  it(
    'handles the same button click delivered to two replicas (and retried) once: one ' + 'decision, one rollback',
    async () => {
      const { world, database } = ctx;
      breakProduction(world, 5);
      const before = rollbackPosts();
      const { incident } = await openQuestionIncident(world.bot.bot.engine.deps, {
        service: SERVICE,
        issue: 'Error rate 30% on sign-in',
        trigger: 'Grafana alert',
        actor: 'alert:grafana',
      });
      await waitFor('the hotfix question to be stored', async () =>
        (await outbox(incident.id)).some((m) => m.key.endsWith(':root')),
      );
      const other = await world.startReplica();
      try {
        const click = {
          userId: 'U0DEVOPS1',
          actionId: ROLLBACK_NOW,
          value: incident.id,
          triggerId: '7777.8888.0badc0ffee',
          responseId: 'two-replicas',
        };
        const answers = await Promise.all([
          world.bot.sender.blockAction(click),
          other.sender.blockAction(click),
          world.bot.sender.blockAction(click, { retryNum: 1 }),
          other.sender.blockAction(click, { retryNum: 2 }),
        ]);
        expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
        await waitForIncident(database.url, incident.id, 'resolved');
        await Promise.all([world.bot.bot.engine.runner.idle(), other.bot.engine.runner.idle()]);
      } finally {
        await other.stop();
      }
      const { timeline, steps } = await expectTimelineWithoutGaps(database.url, incident.id);
      expect(timeline.filter((t) => t.kind === 'decision_rollback_now')).toHaveLength(1);
      expect(steps.map((s) => [s.kind, s.state, s.attempts])).toEqual([
        ['application', 'succeeded', 1],
        ['verification', 'succeeded', 1],
      ]);
      expect(rollbackPosts() - before).toBe(1);
      // The clicker is answered once, by whichever replica handled the click.
      await world.slack.waitForResponse((r) => r.id === 'two-replicas');
      expect(world.slack.responses.filter((r) => r.id === 'two-replicas')).toHaveLength(1);
    },
  );
});

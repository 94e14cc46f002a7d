/**
 * Issue 6 end to end, the harder cases: two replicas on one database, a
 * verification that fails after Vercel moved production, the after-hours
 * on-call rule with the CTO's direct message, and a Slack outage that delays
 * the posts but not the rollback.
 */
import { rows, testDatabase } from '../support/database';
import { SERVICE, type World, startWorld } from '../support/incident-world';
import { waitFor } from '../support/wait';

const one = async <T>(url: string, sql: string): Promise<T> => (await rows<T>(url, sql))[0] as T;

async function waitForIncident(url: string, state: string, timeoutMs = 20_000): Promise<void> {
  const latest = async () =>
    (await one<{ state: string } | undefined>(url, 'SELECT state FROM incidents ORDER BY opened_at DESC LIMIT 1'))
      ?.state;
  await waitFor(`the incident to be ${state}`, async () => (await latest()) === state, timeoutMs);
}

describe.each([
  ['two replicas receive the same /rollback delivery', 'replicas'],
  ['verification fails after Vercel moved production', 'verify'],
  ['Slack is down while production is rolled back', 'outage'],
])('%s', (_title, scenario) => {
  const database = testDatabase(`e2e_${scenario}`);
  let world: World;
  beforeAll(async () => {
    await database.create();
    world = await startWorld({ databaseUrl: database.url });
  });
  afterAll(async () => {
    await world?.stop();
    await database.drop();
  });

  if (scenario === 'replicas') {
    it('opens one incident, posts one IN PROGRESS and asks Vercel once', async () => {
      const other = await world.startReplica();
      try {
        const triggerId = '1111.2222.abcdefabcdef';
        const [a, b] = await Promise.all([
          world.bot.sender.slashCommand({ text: `${SERVICE} 5xx above 25%`, userId: 'U0DEVOPS1', triggerId }),
          other.sender.slashCommand(
            { text: `${SERVICE} 5xx above 25%`, userId: 'U0DEVOPS1', triggerId },
            { retryNum: 1 },
          ),
        ]);
        expect([a.status, b.status]).toEqual([200, 200]);
        await world.waitForPost('ROLLBACK COMPLETE', 20_000);
        await Promise.all([world.bot.bot.engine.runner.idle(), other.bot.engine.runner.idle()]);
        expect(Number((await one<{ n: string }>(database.url, 'SELECT count(*) AS n FROM incidents')).n)).toBe(1);
        expect(
          world.slack.callsOf('chat.postMessage').filter((c) => String(c.params.text).includes('ROLLBACK IN PROGRESS')),
        ).toHaveLength(1);
        expect(world.vercel.state.count('POST', '/rollback/')).toBe(1);
        expect(
          Number((await one<{ n: string }>(database.url, 'SELECT count(*) AS n FROM steps WHERE attempts <> 1')).n),
        ).toBe(0);
      } finally {
        await other.stop();
      }
    });
  }

  if (scenario === 'verify') {
    it('says ROLLBACK FAILED, names the failing check, and never says COMPLETE', async () => {
      world.vercel.state.setApp(world.history.good.id, { smokeStatus: 500 });
      await world.bot.sender.slashCommand({ text: `${SERVICE} sign-in broken`, userId: 'U0DEVOPS1' });
      const failed = await world.waitForPost('ROLLBACK FAILED', 20_000);
      expect(failed.text).toMatch(/sign-in/);
      await waitForIncident(database.url, 'failed');
      expect(world.vercel.state.production()?.id).toBe(world.history.good.id);
      expect(world.postsWith('ROLLBACK COMPLETE')).toHaveLength(0);
      const step = await one<{ state: string; error: { message: string } }>(
        database.url,
        "SELECT state, error FROM steps WHERE kind = 'verification'",
      );
      expect(step.state).toBe('failed');
      expect(step.error.message).toMatch(/sign-in/);
    });
  }

  if (scenario === 'outage') {
    it('moves production during the outage and delivers the thread once Slack is back', async () => {
      world.slack.setOutage(true);
      const ack = await world.bot.sender.slashCommand({
        text: `${SERVICE} database writes failing`,
        userId: 'U0DEVOPS1',
      });
      expect(ack.status).toBe(200);
      expect((ack.json() as { text: string }).text).toMatch(/started as INC-/);
      await waitForIncident(database.url, 'resolved');
      expect(world.vercel.state.production()?.id).toBe(world.history.good.id);
      world.slack.setOutage(false);
      await world.waitForPost('ROLLBACK COMPLETE', 30_000);
      expect(
        world.slack
          .callsOf('chat.postMessage')
          .filter((c) => c.answer.ok && String(c.params.text).includes('ROLLBACK IN PROGRESS')),
      ).toHaveLength(1);
    });
  }
});

describe('after working hours', () => {
  const database = testDatabase('e2e_after_hours');
  let world: World;
  beforeAll(async () => {
    await database.create();
    // 03:00 in New York on a Wednesday: outside the 09:00-18:00 working hours.
    world = await startWorld({ databaseUrl: database.url, at: '2026-01-21T08:00:00Z' });
  });
  afterAll(async () => {
    await world?.stop();
    await database.drop();
  });

  it('lets the on-call engineer (through the on-call user group) execute, and DMs the CTO', async () => {
    const answer = (
      await world.bot.sender.slashCommand({ text: `${SERVICE} auth completely broken`, userId: 'U0ONCALL1' })
    ).json() as { text: string };
    expect(answer.text).toMatch(/started as INC-/);
    const dm = await world.slack.waitForCall(
      (c) => c.method === 'chat.postMessage' && String(c.params.channel).startsWith('D') && c.answer.ok,
      15_000,
    );
    expect(world.slack.callsOf('conversations.open').map((c) => c.params.users)).toContain('U0CTO0001');
    expect(String(dm.params.text)).toMatch(/U0ONCALL1/);
    await world.waitForPost('ROLLBACK COMPLETE', 20_000);
    const note = await one<{ n: string }>(
      database.url,
      "SELECT count(*) AS n FROM timeline WHERE kind = 'cto_notified'",
    );
    expect(Number(note.n)).toBe(1);
  });
});

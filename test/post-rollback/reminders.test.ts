/**
 * The follow-up-reminders job against the real bot, PostgreSQL and the Slack
 * stand-in, with the clock moved by hand and the job ticked by hand: nothing
 * before a deadline, one reminder per incident when items fall due (naming
 * them and the owner), no repeat within the interval, a snoozed item waits
 * for its snooze, a ticked one is never reminded again.
 */
import { silentLogger } from '../../src/logger';
import type { IncidentStore } from '../../src/rollback/ports/incident-store';
import { createIncidentStore } from '../../src/store/incident-store';
import { type Db, createDb } from '../../src/store/pool';
import { type TestBot, startTestBot } from '../support/bot';
import { testDatabase } from '../support/database';
import { TestClock } from '../support/incident-world';
import { snooze, tick } from './support';
import { rows } from '../support/database';

const MIN = 60_000;
const HOUR = 60 * MIN;
const ID = 'INC-20260120-REMIND';

describe('post-rollback reminders at the runbook deadlines', () => {
  const database = testDatabase('follow_remind');
  const clock = new TestClock('2026-01-20T15:00:00Z');
  let bot: TestBot;
  let db: Db;
  let store: IncidentStore;
  let restoredAt: Date;

  beforeAll(async () => {
    await database.create();
    bot = await startTestBot({
      databaseUrl: database.url,
      wiring: { adapters: { clock }, options: { noSchedules: true, outboxPollMs: 50, runnerIntervalMs: 200 } },
    });
    db = createDb(database.url, silentLogger, 2);
    store = createIncidentStore(db);
    restoredAt = clock.now();
    const at = (minutesBefore: number) => new Date(restoredAt.getTime() - minutesBefore * MIN);
    await store.openIncident(
      {
        id: ID,
        service: 'dr-amal-clinical-os',
        issue: 'sign-in returns 500',
        trigger: 'auth completely broken',
        severity: 'must',
        openedBy: 'U0DEVOPS1',
        openedAt: at(6),
        detectedAt: at(6),
        decidedAt: at(5),
        channelId: 'C0PRODALRT',
        data: { request: { kind: 'application' }, requestedBy: 'U0DEVOPS1', owner: 'U0DEVOPS1' },
      },
      [
        {
          position: 1,
          kind: 'application',
          state: 'succeeded',
          input: { targetId: 'dpl_good', version: '1.9.0', fromVersion: '2.0.0-beta' },
        },
        { position: 2, kind: 'verification', state: 'succeeded', input: {} },
      ],
    );
    await store.moveIncident(ID, 'open', 'resolved', { restoredAt, closedAt: restoredAt });
    await bot.bot.engine.deps.announcer.announce(ID);
    await bot.slack.waitForCall(
      (c) =>
        c.method === 'chat.postMessage' && c.answer.ok && String(c.params.text).startsWith('Post-rollback checklist'),
      15_000,
    );
  });

  afterAll(async () => {
    await bot?.stop();
    await db?.close();
    await database.drop();
  });

  /** Moves the clock to `offset` after the restore, ticks the job by hand and returns the items it reminded of. */
  async function remindAt(offset: number): Promise<string[]> {
    clock.advance(restoredAt.getTime() + offset - clock.now().getTime());
    const before = await reminderEntries();
    const outcome = await bot.bot.engine.scheduler.runTick(
      'follow-up-reminders',
      new Date(clock.now().getTime() - MIN),
    );
    expect(outcome.result).toBe('ran');
    const after = await reminderEntries();
    expect(after.length - before.length).toBeLessThanOrEqual(1);
    return after.length > before.length ? ((after.at(-1)?.data.items as string[]) ?? []) : [];
  }

  const reminderEntries = () =>
    rows<{ data: Record<string, unknown> }>(
      database.url,
      "SELECT data FROM timeline WHERE incident_id = $1 AND kind = 'follow_up_reminder' ORDER BY id",
      [ID],
    );

  it('reminds of nothing before the first deadline', async () => {
    expect(await remindAt(59 * MIN)).toEqual([]);
  });

  it('posts one reminder in the thread naming the three 1-hour actions and the owner once they are due', async () => {
    expect(await remindAt(HOUR + MIN)).toEqual(['verify_health', 'notify_stakeholders', 'incident_ticket']);
    const root = bot.slack
      .callsOf('chat.postMessage')
      .find((c) => String(c.params.text).includes('ROLLBACK IN PROGRESS'));
    const post = await bot.slack.waitForCall(
      (c) => c.method === 'chat.postMessage' && c.answer.ok && String(c.params.text).includes('past their deadline'),
      10_000,
    );
    expect(post.params.thread_ts).toBe(root?.answer.ts);
    expect(String(post.params.text)).toContain('<@U0DEVOPS1>');
    expect(String(post.params.text)).toContain(
      '3 post-rollback actions are past their deadline. Verify production health, ' +
        'Notify stakeholders, Create incident ticket.',
    );
  });

  it('does not repeat a reminder at the next run', async () => {
    expect(await remindAt(HOUR + 6 * MIN)).toEqual([]);
  });

  it('skips a ticked item for good and a snoozed one until its snooze ends', async () => {
    const responseUrl = bot.slack.responseUrl;
    const ticked = await tick(bot.sender, responseUrl, {
      userId: 'U0DEVOPS1',
      blockId: `follow_up:${ID}:1h`,
      selected: ['verify_health'],
    });
    await bot.slack.waitForResponse((p) => p.id === ticked.responseId, 10_000);
    const snoozed = await snooze(bot.sender, responseUrl, { userId: 'U0DEVOPS1', value: `${ID}|incident_ticket|1d` });
    expect(String((await bot.slack.waitForResponse((p) => p.id === snoozed.responseId, 10_000)).body.text)).toMatch(
      /snoozed "Create incident ticket"/,
    );

    // A day after the restore: the 24-hour actions fall due; the 1-hour ones were reminded less than 24 hours ago.
    expect(await remindAt(24 * HOUR + MIN)).toEqual(['post_mortem', 'update_monitoring', 'fix_root_cause']);
    // Past the repeat interval and the snooze's end: the open 1-hour actions again, never the ticked one.
    expect(await remindAt(24 * HOUR + 70 * MIN)).toEqual(['notify_stakeholders', 'incident_ticket']);
  });

  it('keeps reminding of nothing once everything is done', async () => {
    const groups: [string, string[]][] = [
      ['1h', ['verify_health', 'notify_stakeholders', 'incident_ticket']],
      ['24h', ['post_mortem', 'update_monitoring', 'fix_root_cause']],
      ['1w', ['improve_deployment', 'lessons_learned']],
    ];
    for (const [key, selected] of groups) {
      const done = await tick(bot.sender, bot.slack.responseUrl, {
        userId: 'U0DEVOPS1',
        blockId: `follow_up:${ID}:${key}`,
        selected,
      });
      await bot.slack.waitForResponse((p) => p.id === done.responseId, 10_000);
    }
    expect(await remindAt(8 * 24 * HOUR)).toEqual([]);
    const open = await rows<{ n: number }>(
      database.url,
      'SELECT count(*)::int AS n FROM follow_ups WHERE incident_id = $1 AND done_at IS NULL',
      [ID],
    );
    expect(open[0]?.n).toBe(0);
  });
});

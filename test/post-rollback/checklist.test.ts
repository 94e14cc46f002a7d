/**
 * After ROLLBACK COMPLETE, over the real bot, the Slack and Vercel stand-ins
 * and PostgreSQL: the thread gets the runbook's post-rollback checklist and a
 * post-mortem draft; people with a role tick, untick and snooze it from Slack
 * and the message re-renders in place; a stranger is refused and nothing moves.
 */
import type { RecordedCall } from '../../src/standins/slack/server';
import { validateBlocks } from '../../src/standins/slack/block-kit';
import { SERVICE, useWorld } from '../support/incident-world';
import { blocksOf, snooze, tick, tickedIn } from './support';
import { rows } from '../support/database';

interface FollowUpRow {
  item: string;
  done_by: string | null;
  snoozed_until: Date | null;
}

describe('post-rollback checklist and post-mortem draft in the incident thread', () => {
  const ctx = useWorld('follow_checklist');
  let incidentId = '';
  let checklist: RecordedCall;
  let rootTs = '';

  const followUps = () =>
    rows<FollowUpRow>(
      ctx.database.url,
      'SELECT item, done_by, snoozed_until FROM follow_ups WHERE incident_id = $1 ORDER BY position',
      [incidentId],
    );
  const timelineKinds = async () =>
    (
      await rows<{ kind: string }>(ctx.database.url, 'SELECT kind FROM timeline WHERE incident_id = $1 ORDER BY id', [
        incidentId,
      ])
    ).map((r) => r.kind);
  const answer = async (responseId: string) =>
    String((await ctx.world.slack.waitForResponse((p) => p.id === responseId, 10_000)).body.text);
  /** The next chat.update of the checklist message that satisfies `check`. */
  const updated = (check: (blocks: Record<string, unknown>[]) => boolean) =>
    ctx.world.slack.waitForCall(
      (c) =>
        c.method === 'chat.update' && c.params.ts === checklist.answer.ts && c.answer.ok && check(blocksOf(c.params)),
      10_000,
    );
  const horizon = (key: string) => `follow_up:${incidentId}:${key}`;

  it(
    'posts the checklist, one checkbox group per horizon with its deadline, in the ' +
      'thread once production is restored',
    async () => {
      const ack = (
        await ctx.world.bot.sender.slashCommand({ text: `${SERVICE} checkout returns 500`, userId: 'U0DEVOPS1' })
      ).json() as { text: string };
      incidentId = /started as (INC-\S+)\./.exec(ack.text)?.[1] ?? '';
      expect(incidentId).not.toBe('');
      rootTs = (await ctx.world.waitForPost('ROLLBACK IN PROGRESS')).ts ?? '';
      await ctx.world.waitForPost('ROLLBACK COMPLETE', 20_000);
      checklist = await ctx.world.slack.waitForCall(
        (c) =>
          c.method === 'chat.postMessage' && c.answer.ok && String(c.params.text).startsWith('Post-rollback checklist'),
        15_000,
      );
      expect(checklist.params.thread_ts).toBe(rootTs);
      // COMPLETE comes first, then the checklist.
      const complete = ctx.world.slack
        .callsOf('chat.postMessage')
        .findIndex((c) => String(c.params.text).includes('ROLLBACK COMPLETE'));
      expect(complete).toBeLessThan(ctx.world.slack.calls.indexOf(checklist));

      const blocks = blocksOf(checklist.params);
      expect(validateBlocks(blocks, 'message')).toEqual([]);
      const groups = blocks.filter((b) => b.type === 'actions') as {
        block_id: string;
        elements: { type: string; options: { value: string }[] }[];
      }[];
      expect(groups.map((g) => g.block_id)).toEqual([horizon('1h'), horizon('24h'), horizon('1w')]);
      expect(groups.map((g) => g.elements[0]?.options.map((o) => o.value))).toEqual([
        ['verify_health', 'notify_stakeholders', 'incident_ticket'],
        ['post_mortem', 'update_monitoring', 'fix_root_cause'],
        ['improve_deployment', 'lessons_learned'],
      ]);
      const text = JSON.stringify(blocks);
      expect(text).toContain('Immediate (within 1 hour)');
      expect(text).toContain('Long-term (within 1 week)');
      expect(blocks.filter((b) => (b.accessory as { type?: string } | undefined)?.type === 'overflow')).toHaveLength(8);

      const stored = await followUps();
      expect(stored.map((r) => r.item)).toHaveLength(8);
      const [{ restored_at: restoredAt } = { restored_at: new Date(0) }] = await rows<{ restored_at: Date }>(
        ctx.database.url,
        'SELECT restored_at FROM incidents WHERE id = $1',
        [incidentId],
      );
      const due = await rows<{ item: string; due_at: Date }>(
        ctx.database.url,
        'SELECT item, due_at FROM follow_ups WHERE incident_id = $1 ORDER BY position',
        [incidentId],
      );
      expect(due.map((d) => (d.due_at.getTime() - restoredAt.getTime()) / 3_600_000)).toEqual([
        1, 1, 1, 24, 24, 24, 168, 168,
      ]);
    },
  );

  it('posts a post-mortem draft built from the timeline, with the times and the five questions', async () => {
    const draft = await ctx.world.slack.waitForCall(
      (c) => c.method === 'chat.postMessage' && c.answer.ok && String(c.params.text).startsWith('Post-mortem draft'),
      15_000,
    );
    expect(draft.params.thread_ts).toBe(rootTs);
    const blocks = blocksOf(draft.params);
    expect(validateBlocks(blocks, 'message')).toEqual([]);
    const body = blocks.map((b) => (b.text as { text?: string } | undefined)?.text ?? '').join('\n');
    expect(body).toContain(`Incident \`${incidentId}\``);
    expect(body).toContain('checkout returns 500');
    expect(body).toContain('Live when it broke:** 2.0.0-beta');
    for (const question of [
      'What happened?',
      'Why did it happen?',
      'How did we detect it?',
      'How did we fix it?',
      'How do we prevent it?',
    ])
      expect(body).toContain(`### ${question}`);
    expect(body).toMatch(
      /\| Execution time \| \d+ (ms|s) \| rollback decided → production restored \| &lt; 5 min \| met \|/,
    );
    expect(body).toContain('| Production restored |');
    // "What was done" is the timeline: the opening and the move to resolved are in it.
    expect(body).toMatch(/\| \d\d:\d\d:\d\d \| &lt;@U0DEVOPS1&gt; \|/);
    expect(body).toContain('→ resolved');
  });

  it('ticks an item for a DevOps lead, records who and when, and re-renders the message in place', async () => {
    const { responseId } = await tick(ctx.world.bot.sender, ctx.world.slack.responseUrl, {
      userId: 'U0DEVOPS1',
      blockId: horizon('1h'),
      selected: ['verify_health'],
    });
    expect(await answer(responseId)).toBe('You ticked "Verify production health".');
    const update = await updated((blocks) => tickedIn(blocks, horizon('1h')).includes('verify_health'));
    expect(validateBlocks(blocksOf(update.params), 'message')).toEqual([]);
    expect(String(update.params.text)).toContain('1 of 8 done');
    expect((await followUps()).find((r) => r.item === 'verify_health')?.done_by).toBe('U0DEVOPS1');
    expect(await timelineKinds()).toContain('follow_up_done');
  });

  it('refuses a tick from someone without a role, tells them, and changes nothing', async () => {
    const before = await followUps();
    const { responseId } = await tick(ctx.world.bot.sender, ctx.world.slack.responseUrl, {
      userId: 'U0NOBODY1',
      blockId: horizon('1h'),
      selected: ['verify_health', 'incident_ticket'],
    });
    expect(await answer(responseId)).toMatch(
      /Only the DevOps lead, on-call engineer, DBA or CTO of dr-amal-clinical-os may tick or snooze/,
    );
    expect(await followUps()).toEqual(before);
    expect(await timelineKinds()).toContain('follow_up_refused');
  });

  it('unticks for an on-call engineer named through a user group', async () => {
    const { responseId } = await tick(ctx.world.bot.sender, ctx.world.slack.responseUrl, {
      userId: 'U0ONCALL1',
      blockId: horizon('1h'),
      selected: [],
    });
    expect(await answer(responseId)).toMatch(/You unticked "Verify production health"/);
    await updated((blocks) => tickedIn(blocks, horizon('1h')).length === 0);
    expect((await followUps()).every((r) => r.done_by === null)).toBe(true);
  });

  it('snoozes an item for a day from its menu and shows until when', async () => {
    const asked = ctx.world.clock.now().getTime();
    const { responseId } = await snooze(ctx.world.bot.sender, ctx.world.slack.responseUrl, {
      userId: 'U0CTO0001',
      value: `${incidentId}|incident_ticket|1d`,
    });
    // A time a person reads, in the service's time zone, not an ISO stamp.
    expect(await answer(responseId)).toMatch(
      new RegExp(
        /You snoozed "Create incident ticket" until /.source +
          /[A-Z][a-z]{2}, [A-Z][a-z]{2} \d{1,2}, \d{1,2}:\d{2} (AM|PM) E[SD]T\.$/.source,
      ),
    );
    const until = (await followUps()).find((r) => r.item === 'incident_ticket')?.snoozed_until?.getTime() ?? 0;
    expect(until - asked).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(until - asked).toBeLessThan(24 * 3_600_000 + 60_000);
    await updated((blocks) => JSON.stringify(blocks).includes('*Create incident ticket*: snoozed until'));
    expect(await timelineKinds()).toContain('follow_up_snoozed');
  });

  it('answers a control that names no checklist item with a clear refusal', async () => {
    const unknownItem = await snooze(ctx.world.bot.sender, ctx.world.slack.responseUrl, {
      userId: 'U0DEVOPS1',
      value: `${incidentId}|no_such_item|1h`,
    });
    expect(await answer(unknownItem.responseId)).toMatch(
      /"no_such_item" is not on this incident's post-rollback checklist/,
    );
    const stray = await tick(ctx.world.bot.sender, ctx.world.slack.responseUrl, {
      userId: 'U0DEVOPS1',
      blockId: horizon('1w'),
      selected: ['verify_health'],
    });
    expect(await answer(stray.responseId)).toMatch(/"verify_health" is not an action due within 1 week/);
    const garbled = await snooze(ctx.world.bot.sender, ctx.world.slack.responseUrl, {
      userId: 'U0DEVOPS1',
      value: 'garbled',
    });
    expect(await answer(garbled.responseId)).toMatch(/does not name a post-rollback checklist item/);
  });

  it(
    'two people ticking different items from the same, slightly stale copy of the ' +
      'message: each click changes only its item',
    async () => {
      // Both copies show nothing ticked in the first hour; each person ticks a different item a moment apart.
      const first = await tick(ctx.world.bot.sender, ctx.world.slack.responseUrl, {
        userId: 'U0DEVOPS1',
        blockId: horizon('1h'),
        selected: ['verify_health'],
        shown: [],
      });
      expect(await answer(first.responseId)).toMatch(/You ticked "Verify production health"/);
      const second = await tick(ctx.world.bot.sender, ctx.world.slack.responseUrl, {
        userId: 'U0CTO0001',
        blockId: horizon('1h'),
        selected: ['notify_stakeholders'],
        shown: [],
      });
      expect(await answer(second.responseId)).toMatch(/You ticked/);
      const done = (await followUps()).filter((r) => r.done_by !== null).map((r) => [r.item, r.done_by]);
      expect(done).toEqual([
        ['verify_health', 'U0DEVOPS1'],
        ['notify_stakeholders', 'U0CTO0001'],
      ]);
      const ticks = await rows<{ message: string }>(
        ctx.database.url,
        "SELECT message FROM timeline WHERE incident_id = $1 AND kind = 'follow_up_done' ORDER BY id DESC LIMIT 2",
        [incidentId],
      );
      expect(ticks.map((t) => t.message).sort()).toEqual([
        expect.stringContaining('<@U0CTO0001> ticked'),
        expect.stringContaining('<@U0DEVOPS1> ticked'),
      ]);
    },
  );
});

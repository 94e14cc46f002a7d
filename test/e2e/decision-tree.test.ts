/**
 * The runbook's decision tree in Slack: an incident opened without a rollback
 * asks "Can it be hotfixed in under 5 minutes?"; a hotfix claim starts a
 * five-minute timer after which the bot asks again and proposes the rollback;
 * "Roll back now" starts the rollback at once; people without a role are refused.
 */
import { HOTFIX, ROLLBACK_NOW } from '../../src/slack/action-ids';
import { openQuestionIncident } from '../../src/rollback/incident/hotfix';
import { SERVICE, useWorld } from '../support/incident-world';

describe('decision tree: hotfix or roll back', () => {
  const ctx = useWorld('e2e_tree');

  it('asks, times a hotfix claim, asks again after 5 minutes, and rolls back when told', async () => {
    const { incident } = await openQuestionIncident(ctx.world.bot.bot.engine.deps, {
      service: SERVICE,
      issue: 'Error rate 12% on AI notes',
      trigger: 'Grafana alert',
      actor: 'alert:grafana',
    });
    const asked = await ctx.world.waitForPost('hotfixed in under 5 minutes');
    expect(ctx.world.postsWith('ROLLBACK IN PROGRESS')).toHaveLength(0);

    const click = (userId: string, actionId: string) =>
      ctx.world.bot.sender.blockAction({
        userId,
        actionId,
        value: incident.id,
        messageTs: asked.ts,
        responseId: `${actionId}-${userId}`,
      });
    await click('U0NOBODY1', HOTFIX);
    expect(JSON.stringify((await ctx.world.slack.waitForResponse((p) => p.id === `${HOTFIX}-U0NOBODY1`)).body)).toMatch(
      /Only the DevOps lead/,
    );

    await click('U0DEVOPS1', HOTFIX);
    expect(JSON.stringify((await ctx.world.slack.waitForResponse((p) => p.id === `${HOTFIX}-U0DEVOPS1`)).body)).toMatch(
      /asks again in 5 minutes/,
    );
    const updatesBefore = ctx.world.slack.callsOf('chat.update').length;
    ctx.world.clock.advance(5 * 60_000 + 1000);
    ctx.world.bot.bot.engine.runner.wake();
    await ctx.world.slack.waitForCall(
      (c) => c.method === 'chat.update' && ctx.world.slack.callsOf('chat.update').indexOf(c) >= updatesBefore,
      10_000,
    );
    await ctx.world.bot.bot.engine.runner.idle();

    await click('U0DEVOPS1', ROLLBACK_NOW);
    await ctx.world.waitForPost('ROLLBACK IN PROGRESS', 15_000);
    await ctx.world.waitForPost('ROLLBACK COMPLETE', 20_000);
    expect(ctx.world.vercel.state.production()?.id).toBe(ctx.world.history.good.id);

    const timeline = await ctx.world.bot.bot.engine.deps.store.timeline(incident.id);
    expect(timeline.map((t) => t.kind)).toEqual(
      expect.arrayContaining(['opened', 'refused', 'decision_hotfix', 'decision_asked_again', 'decision_rollback_now']),
    );
  });
});

describe('an outage past 15 minutes', () => {
  const ctx = useWorld('e2e_drafts');

  it('gets the status page and customer email drafts in its thread, once', async () => {
    const { incident } = await openQuestionIncident(ctx.world.bot.bot.engine.deps, {
      service: SERVICE,
      issue: 'Sign-in failing for all users',
      trigger: 'Alertmanager: AuthDown',
      actor: 'alert:alertmanager',
    });
    await ctx.world.waitForPost('hotfixed in under 5 minutes');
    expect(ctx.world.postsWith('Status Page Update')).toHaveLength(0);
    ctx.world.clock.advance(16 * 60_000);
    ctx.world.bot.bot.engine.runner.wake();
    const drafts = await ctx.world.waitForPost('Status Page Update', 15_000);
    expect(drafts.text).toMatch(/outage/i);
    await ctx.world.bot.bot.engine.runner.idle();
    ctx.world.bot.bot.engine.runner.wake();
    await ctx.world.bot.bot.engine.runner.idle();
    await ctx.world.bot.bot.engine.outbox.drain(10_000);
    expect(
      ctx.world.slack.callsOf('chat.postMessage').filter((c) => String(c.params.blocks).includes('Status Page Update')),
    ).toHaveLength(1);
    const stored = await ctx.world.bot.bot.engine.deps.store.getIncident(incident.id);
    expect(stored?.data.draftsPosted).toBe(true);
  });
});

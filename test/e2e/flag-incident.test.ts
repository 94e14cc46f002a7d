/**
 * The kill switch inside an incident, through the running bot: an alert that
 * names the AI notes feature gets "Disable ai-notes" next to "Roll back now";
 * the DevOps lead presses it, the flag reads back off, the incident's timeline
 * has it and no rollback step was added. After hours the on-call engineer may
 * do the same, and the CTO gets the asynchronous notice.
 */
import { DISABLE_FLAG, ROLLBACK_NOW } from '../../src/slack/action-ids';
import { alertNamingTheFeature, buttonAnswer, commandAnswer, flagTimeline, flagValue } from '../support/flags';
import { SERVICE, useWorld } from '../support/incident-world';

describe('"Disable <flag>" on the hotfix question (working hours)', () => {
  const ctx = useWorld('e2e_flag_hotfix');

  it('is offered next to Roll back now, turns the flag off, and is on the incident, not a rollback', async () => {
    const { world } = ctx;
    const incidentId = await alertNamingTheFeature(world);
    await world.waitForPost('Disable ai-notes');
    const question = world.postsWith('Disable ai-notes')[0]?.text ?? '';
    const order = [ROLLBACK_NOW, DISABLE_FLAG].map((id) => question.indexOf(id));
    expect(order[0]).toBeGreaterThan(-1);
    expect(order[1]).toBeGreaterThan(order[0] ?? 0);

    // Someone without the authority first: refused through the same gate, nothing changes.
    const value = `${incidentId}|ai-notes`;
    expect(await buttonAnswer(world, { userId: 'U0DBADMIN', actionId: DISABLE_FLAG, value })).toMatch(
      /Only the DevOps lead/,
    );
    expect(flagValue(world)).toBe(true);

    const answer = await buttonAnswer(world, { userId: 'U0DEVOPS1', actionId: DISABLE_FLAG, value });
    expect(answer).toMatch(
      new RegExp(`turned the feature flag ai-notes .* off: it reads false .*Recorded on incident ${incidentId}`),
    );
    expect(flagValue(world)).toBe(false);
    await world.waitForPost('Feature disabled: ai-notes');
    const posted = world.postsWith('Feature disabled: ai-notes')[0];
    expect(posted?.thread).toBeDefined();

    // The question, updated in place, says the flag is off and by whom instead of offering Disable again.
    await world.waitForPost('`ai-notes` is off (turned off by <@U0DEVOPS1> at ');
    const updated = world.postsWith('`ai-notes` is off (turned off by <@U0DEVOPS1> at ').at(-1);
    expect(updated?.method).toBe('chat.update');
    expect(updated?.text).toContain(ROLLBACK_NOW);
    expect(updated?.text).not.toContain(DISABLE_FLAG);
    // The old message pressed again: a plain answer, no second write to Vercel.
    const writes = world.vercel.state.count('PATCH', '/edge-config/');
    expect(writes).toBe(1);
    const again = await buttonAnswer(world, { userId: 'U0DEVOPS1', actionId: DISABLE_FLAG, value });
    expect(again).toMatch(/^ai-notes is already off: <@U0DEVOPS1> turned it off at .+; nothing was changed\.$/);
    expect(again).toContain(`on incident ${incidentId};`);
    expect(world.vercel.state.count('PATCH', '/edge-config/')).toBe(writes);
    expect(flagValue(world)).toBe(false);

    const deps = world.bot.bot.engine.deps;
    const timeline = await deps.store.timeline(incidentId);
    expect(timeline.map((t) => t.kind)).toEqual(expect.arrayContaining(['refused', 'flag_switched']));
    expect(timeline.find((t) => t.kind === 'flag_switched')?.data).toMatchObject({
      flag: 'ai-notes',
      state: 'off',
      as: 'devopsLead',
    });
    expect(await deps.store.steps(incidentId)).toHaveLength(0);
    expect(world.vercel.state.count('POST', '/rollback/')).toBe(0);
    const stats = await commandAnswer(world, `stats ${SERVICE}`, 'U0DEVOPS1');
    expect(stats).toMatch(/0 rollbacks/);
    expect(stats).toMatch(/not rollbacks:\* 1 feature flag turned off, 0 turned on/);
  });
});

describe('"Disable <flag>" pressed on an incident that is already over', () => {
  const ctx = useWorld('e2e_flag_closed');

  it('turns the flag off, says the incident is over and records it on the service timeline', async () => {
    const { world } = ctx;
    const incidentId = await alertNamingTheFeature(world);
    await world.waitForPost('Disable ai-notes');
    const store = world.bot.bot.engine.deps.store;
    await store.updateIncident(incidentId, { state: 'resolved', closedAt: world.clock.now() });
    const answer = await buttonAnswer(world, {
      userId: 'U0DEVOPS1',
      actionId: DISABLE_FLAG,
      value: `${incidentId}|ai-notes`,
    });
    expect(answer).toMatch(/turned the feature flag ai-notes .* off: it reads false/);
    expect(answer).toContain(
      `Incident ${incidentId} is resolved, so this is recorded on the service timeline and counted outside incidents.`,
    );
    const rows = await flagTimeline(ctx.database.url);
    expect(rows.map((r) => [r.kind, r.incident_id])).toEqual([['flag_switched', null]]);
    expect(await commandAnswer(world, `stats ${SERVICE}`, 'U0DEVOPS1')).toMatch(
      /not rollbacks:\* 1 feature flag turned off, 0 turned on \(1 with no incident open\)/,
    );
  });
});

describe('the kill switch after hours (Monday 22:00 New York)', () => {
  const ctx = useWorld('e2e_flag_night', { at: '2026-01-20T03:00:00Z' });

  it('lets the on-call engineer disable the flag and notifies the CTO asynchronously', async () => {
    const { world } = ctx;
    const incidentId = await alertNamingTheFeature(world);
    await world.waitForPost('Disable ai-notes');
    const answer = await buttonAnswer(world, {
      userId: 'U0ONCALL1',
      actionId: DISABLE_FLAG,
      value: `${incidentId}|ai-notes`,
    });
    expect(answer).toMatch(/turned the feature flag ai-notes .* off.*The CTO was notified \(after hours\)/);
    expect(flagValue(world)).toBe(false);
    await world.slack.waitForCall(
      (c) => c.method === 'conversations.open' && String(c.params.users).includes('U0CTO0001'),
      10_000,
    );
    await world.waitForPost('After-hours feature flag: ai-notes off');
    const rows = await flagTimeline(ctx.database.url);
    expect(rows.map((r) => [r.kind, r.incident_id])).toEqual([
      ['flag_switched', incidentId],
      ['cto_notified', incidentId],
    ]);
    expect(rows[0]?.data).toMatchObject({ as: 'onCall' });

    // The command works the same way, and a stranger is still refused after hours.
    expect(await commandAnswer(world, `flag ${SERVICE} ai-notes on`, 'U0NOBODY1')).toMatch(
      /Only the DevOps lead or on-call engineer may turn the feature flag ai-notes on outside working hours/,
    );
    expect(await commandAnswer(world, `flag ${SERVICE} ai-notes on back after fix`, 'U0ONCALL1')).toMatch(/reads true/);
    expect(flagValue(world)).toBe(true);
  });
});

/**
 * The release's guard end to end: the runbook's triggers judged on the
 * canary's own URL. Sign-in failing on the canary in consecutive rounds (a
 * MUST) aborts the release at 10% through an incident that rolls production
 * back to the base deployment (ROLLBACK IN PROGRESS / COMPLETE, the CTO told);
 * a canary more than 50% slower than the base (a SHOULD) pauses the release
 * and asks Abort / Continue.
 */
import * as ids from '../../src/slack/action-ids';
import { openQuestionIncident } from '../../src/rollback/incident/hotfix';
import { dmsIn } from '../faults/support/slack-delivery';
import { useWorld } from '../support/incident-world';
import {
  LEAD,
  LEAD_AND_CTO,
  OVERRIDE,
  addCandidate,
  click,
  guardRound,
  releaseOf,
  rollout,
  rolloutService,
} from '../support/rollout-world';

const SERVICE = 'dr-amal-clinical-os';

describe('a MUST on the canary at 10%', () => {
  const ctx = useWorld('e2e_rollout_must', { service: rolloutService() });

  it('aborts: all traffic back on the base deployment through a rollback incident, the CTO told', async () => {
    const { world } = ctx;
    const canary = addCandidate(world);
    expect(await rollout(world, LEAD_AND_CTO, `${SERVICE} ${canary.id} ${OVERRIDE}`)).toMatch(/started/);
    // The canary's sign-in breaks; the production domains still mostly answer from the base.
    world.vercel.state.setApp(canary.id, { smokeStatus: 500 });
    await guardRound(world);
    expect((await releaseOf(ctx.database.url)).state).toBe('paused');
    await guardRound(world);
    const aborting = await releaseOf(ctx.database.url);
    expect(aborting).toMatchObject({ state: 'aborting', abortedAtPercent: 10 });
    expect(aborting.note).toMatch(/MUST trigger on the canary: auth completely broken/);
    await world.waitForPost('ROLLBACK IN PROGRESS', 20_000);
    await world.waitForPost('ROLLBACK COMPLETE', 30_000);
    expect(world.vercel.state.project.release?.state).toBe('ABORTED');
    expect(world.vercel.state.production()?.id).toBe(world.history.bad.id);
    // The CTO's direct message says the bot aborted the release by itself on a MUST, not that a person acted.
    const notice = await world.slack.waitForCall(
      (c) => c.method === 'chat.postMessage' && c.answer.ok && String(c.params.channel).startsWith('D'),
      10_000,
    );
    const said = `${String(notice.params.text)}\n${String(notice.params.blocks)}`;
    expect(said).not.toMatch(/on-call|outside working hours|After-hours/);
    expect(said).toContain('Release aborted on a MUST trigger');
    expect(said).toContain('at *10%* of production traffic');
    expect(said).toContain(world.history.bad.id);
    expect(said).toContain('auth completely broken');
    expect(said).toMatch(/INC-\d{8}/);
    expect(said).toContain('Nobody needs to approve anything');
    expect(dmsIn(world.slack, 'U0CTO0001')).toHaveLength(1);
    await guardRound(world);
    expect(await releaseOf(ctx.database.url)).toMatchObject({
      state: 'aborted',
      incidentId: expect.stringMatching(/^INC-/),
    });
    await world.waitForPost('Traffic exposed at abort: 10%');
    const stats = (await world.bot.sender.slashCommand({ text: `stats ${SERVICE}`, userId: LEAD })).text;
    expect(stats).toContain('Progressive rollouts: 1 started, 1 aborted; traffic exposed at abort: 10% on average');
  });
});

describe('a MUST on the canary while the production monitor asks its hotfix question', () => {
  const ctx = useWorld('e2e_rollout_must_joined', { service: rolloutService() });

  it('the open incident carries the abort: rolled back to the base, not left waiting on the question', async () => {
    const { world } = ctx;
    const canary = addCandidate(world);
    expect(await rollout(world, LEAD_AND_CTO, `${SERVICE} ${canary.id} ${OVERRIDE}`)).toMatch(/started/);
    // The canary's share of the production domains slowed them: the production monitor asked its question first.
    const { incident } = await openQuestionIncident(world.bot.bot.engine.deps, {
      service: SERVICE,
      issue: 'P95 latency degraded',
      trigger: 'SHOULD roll back: P95 latency degraded',
      actor: 'rollback-bot',
      severity: 'should',
    });
    world.vercel.state.setApp(canary.id, { smokeStatus: 500 });
    await guardRound(world);
    await guardRound(world);
    expect(await releaseOf(ctx.database.url)).toMatchObject({ state: 'aborting', incidentId: incident.id });
    await world.waitForPost('ROLLBACK COMPLETE', 15_000);
    const store = world.bot.bot.engine.deps.store;
    expect((await store.steps(incident.id)).map((s) => [s.kind, s.state, s.input.target])).toEqual([
      ['application', 'succeeded', world.history.bad.id],
      ['verification', 'succeeded', world.history.bad.id],
    ]);
    expect(world.vercel.state.project.release?.state).toBe('ABORTED');
    expect(world.vercel.state.production()?.id).toBe(world.history.bad.id);
    await world.slack.waitForCall(
      (c) => c.method === 'conversations.open' && String(c.params.users).includes('U0CTO0001'),
      10_000,
    );
  }, 40_000);
});

describe('a SHOULD on the canary', () => {
  const ctx = useWorld('e2e_rollout_should', { service: rolloutService() });

  it('pauses the release and asks Abort / Continue; Continue goes on watching', async () => {
    const { world } = ctx;
    const canary = addCandidate(world);
    expect(await rollout(world, LEAD_AND_CTO, `${SERVICE} ${canary.id} ${OVERRIDE}`)).toMatch(/started/);
    world.vercel.state.setApp(canary.id, { latencyMs: 200 });
    await guardRound(world);
    await guardRound(world);
    const paused = await releaseOf(ctx.database.url);
    expect(paused.state).toBe('paused');
    expect(paused.note).toMatch(/SHOULD trigger on the canary: P95 \d+ ms against a baseline of \d+ ms/);
    await world.waitForPost('Abort, or Continue watching the canary?');
    expect(world.vercel.state.project.release).toMatchObject({ state: 'ACTIVE', activeIndex: 0 });

    world.vercel.state.setApp(canary.id, { latencyMs: 40 });
    expect(await click(world, LEAD, ids.RELEASE_CONTINUE, paused.id)).toMatch(/watching/);
    expect(await releaseOf(ctx.database.url)).toMatchObject({ state: 'watching', note: `Continued by <@${LEAD}>.` });
    expect(await click(world, LEAD, ids.RELEASE_CONTINUE, paused.id)).toMatch(
      /The release is watching; it cannot resume now/,
    );
  });
});

/**
 * A MUST on the canary while the service's open incident is already rolling
 * back with no application step under way (a git reset waiting for the CTO's
 * approval): nothing of the incident takes traffic off the canary, so the bot
 * aborts on Vercel itself, follows the alias move to its end and says in the
 * release thread, on the incident's timeline and to the CTO whether traffic
 * is back on the base. A refused abort is reported as such and asked again at
 * the next guard round.
 */
import { dmsIn } from '../faults/support/slack-delivery';
import { SERVICE, type World, useWorld } from '../support/incident-world';
import {
  LEAD,
  LEAD_AND_CTO,
  OVERRIDE,
  addCandidate,
  guardRound,
  releaseOf,
  rollout,
  rolloutService,
} from '../support/rollout-world';

/** A release at 10%, a git reset awaiting the CTO's approval, then the canary's sign-in breaks for two rounds. */
async function mustBesideReset(world: World): Promise<string> {
  const canary = addCandidate(world);
  expect(await rollout(world, LEAD_AND_CTO, `${SERVICE} ${canary.id} ${OVERRIDE}`)).toMatch(/started/);
  const text = `reset ${SERVICE} ${world.history.goodCommit} bad release`;
  expect((await world.bot.sender.slashCommand({ text, userId: LEAD })).json()).toMatchObject({
    text: expect.stringMatching(/started as INC-/),
  });
  const incident = await world.bot.bot.engine.deps.store.findOpenIncident(SERVICE);
  if (!incident) throw new Error('no incident opened');
  world.vercel.state.setApp(canary.id, { smokeStatus: 500 });
  await guardRound(world);
  await guardRound(world);
  return incident.id;
}

const CTO_DM = (world: World): string =>
  dmsIn(world.slack, 'U0CTO0001')
    .map((c) => `${String(c.params.text)}\n${String(c.params.blocks)}`)
    .join('\n');

async function abortEntries(world: World, incidentId: string): Promise<string[]> {
  const timeline = await world.bot.bot.engine.deps.store.timeline(incidentId);
  return timeline.filter((t) => t.kind === 'release_abort_traffic').map((t) => t.message);
}

describe('a MUST on the canary while the open incident waits to reset git', () => {
  const ctx = useWorld('e2e_rollout_abort_beside', { service: rolloutService() });

  it('the bot aborts on Vercel itself, waits for the move and reports traffic back on the base', async () => {
    const { world } = ctx;
    const incidentId = await mustBesideReset(world);
    const base = world.history.bad.id;
    const aborting = await releaseOf(ctx.database.url);
    expect(aborting).toMatchObject({ state: 'aborting', incidentId, abortedAtPercent: 10 });
    expect(aborting.note).toContain(`the bot aborted it on Vercel itself; all traffic is back on the base ${base}.`);
    // The move was followed to its end before the guard round returned.
    expect(world.vercel.state.project.release?.state).toBe('ABORTED');
    expect(world.vercel.state.project.lastAliasRequest).toMatchObject({ toDeploymentId: base, jobStatus: 'succeeded' });
    expect(world.vercel.state.production()?.id).toBe(base);
    expect(await abortEntries(world, incidentId)).toEqual([
      expect.stringContaining(`aborted: the bot aborted it on Vercel itself; all traffic is back on the base ${base}.`),
    ]);
    // The incident's own plan is untouched: its reset still waits for the CTO.
    const steps = await world.bot.bot.engine.deps.store.steps(incidentId);
    expect(steps.map((s) => [s.kind, s.state])).toEqual([
      ['code_reset', 'awaiting_approval'],
      ['deploy', 'pending'],
      ['verification', 'pending'],
    ]);
    await world.slack.waitForCall(
      (c) => c.method === 'chat.postMessage' && c.answer.ok && String(c.params.channel).startsWith('D'),
      10_000,
    );
    expect(CTO_DM(world)).toContain(
      'back on the base deployment: the bot aborted the rolling release on Vercel itself',
    );
    await world.waitForPost('the bot aborted it on Vercel itself');

    await guardRound(world);
    expect(await releaseOf(ctx.database.url)).toMatchObject({
      state: 'aborted',
      note: `All traffic is back on the base deployment, ${base}.`,
    });
    await world.waitForPost('Aborted: no traffic on the canary');
  }, 45_000);
});

describe('an abort that Vercel refuses', () => {
  const ctx = useWorld('e2e_rollout_abort_refused', { service: rolloutService() });

  it('is reported as not confirmed, and asked again at the next guard round', async () => {
    const { world } = ctx;
    world.vercel.state.inject({ kind: 'status', status: 403, match: '/rollback/' });
    const incidentId = await mustBesideReset(world);
    const canary = (await releaseOf(ctx.database.url)).canary.id;
    const refused = await releaseOf(ctx.database.url);
    expect(refused.state).toBe('aborting');
    expect(refused.note).toMatch(/the bot's abort on Vercel failed: .*The release guard asks Vercel again each round/s);
    expect(world.vercel.state.project.release?.state).toBe('ACTIVE');
    expect(world.vercel.state.production()?.id).toBe(canary);
    await world.slack.waitForCall(
      (c) => c.method === 'chat.postMessage' && c.answer.ok && String(c.params.channel).startsWith('D'),
      10_000,
    );
    expect(CTO_DM(world)).toContain('*not confirmed off the canary*');

    await guardRound(world);
    const base = world.history.bad.id;
    expect((await releaseOf(ctx.database.url)).note).toContain(`all traffic is back on the base ${base}.`);
    expect(world.vercel.state.project.release?.state).toBe('ABORTED');
    expect(world.vercel.state.production()?.id).toBe(base);
    expect(await abortEntries(world, incidentId)).toEqual([
      expect.stringMatching(/the bot's abort on Vercel failed/),
      expect.stringContaining(`all traffic is back on the base ${base}.`),
    ]);
    await guardRound(world);
    expect((await releaseOf(ctx.database.url)).state).toBe('aborted');
  }, 45_000);
});

/**
 * /rollout end to end through the running bot, against the Slack and Vercel
 * stand-ins and real PostgreSQL: gates that refuse and a CTO override that
 * lets the release through; a release that goes 10% → 50% → 100% as each
 * stage's 30 minutes pass; a stage that waits for Approve.
 */
import * as ids from '../../src/slack/action-ids';
import { useWorld } from '../support/incident-world';
import {
  LEAD,
  LEAD_AND_CTO,
  MINUTE,
  OVERRIDE,
  addCandidate,
  click,
  guardRound,
  releaseOf,
  rollout,
  rolloutService,
} from '../support/rollout-world';

const SERVICE = 'dr-amal-clinical-os';

describe('a release refused by its gates, overridden by the CTO, that completes (Tuesday 10:00 New York)', () => {
  const ctx = useWorld('e2e_rollout_complete', { service: rolloutService() });

  it('refuses outside the deploy window, starts on a CTO override, and advances 10% → 50% → 100% on time', async () => {
    const { world } = ctx;
    const canary = addCandidate(world);
    const refused = await rollout(world, LEAD, SERVICE);
    expect(refused).toMatch(/refused by its gates/);
    expect(refused).toMatch(
      /✗ deploy-window: It is tue 10:00 America\/New_York, outside the low-traffic deploy window/,
    );
    expect(refused).toMatch(/✓ staging-smoke: Commit [0-9a-f]{7} passed the smoke tests against staging/);
    expect(world.vercel.state.count('POST', '/rolling-release/start')).toBe(0);

    const notCto = await rollout(world, LEAD, `${SERVICE} ${OVERRIDE}`);
    expect(notCto).toMatch(/Override not counted: only the CTO may override the preflight gate/);

    const started = await rollout(world, LEAD_AND_CTO, `${SERVICE} ${canary.id} ${OVERRIDE}`);
    expect(started).toMatch(/Release REL-\d{8}-[0-9A-F]{6} started: 10% of traffic on/);
    expect(started).toMatch(
      /⚠ deploy-window: .*Overridden by the CTO: .*the security fix cannot wait.* \(<@U0BOTH001>\)/,
    );
    expect(world.vercel.state.project.release).toMatchObject({ state: 'ACTIVE', canaryId: canary.id, activeIndex: 0 });
    expect(world.vercel.state.project.releaseConfig?.stages.map((s) => s.targetPercentage)).toEqual([10, 50, 100]);
    await world.waitForPost('RELEASE IN PROGRESS');
    await world.waitForPost('the security fix cannot wait');

    await guardRound(world);
    expect((await releaseOf(ctx.database.url)).state).toBe('watching');
    await world.waitForPost('Stage 1 of 3');

    world.clock.advance(30 * MINUTE);
    await guardRound(world);
    expect(world.vercel.state.project.release?.activeIndex).toBe(1);
    await world.waitForPost('Stage 2 of 3');

    world.clock.advance(30 * MINUTE);
    await guardRound(world);
    expect(world.vercel.state.project.release?.state).toBe('COMPLETE');
    world.clock.advance(30 * MINUTE);
    await guardRound(world);
    const done = await releaseOf(ctx.database.url);
    expect(done).toMatchObject({ state: 'completed', stageIndex: 2 });
    await world.waitForPost('Complete: 100% of traffic on the new deployment');
    expect(await rollout(world, LEAD, `status ${SERVICE}`)).toMatch(/\(completed\): stage 3 of 3, 100% of traffic/);
  });
});

describe('a stage that needs approval', () => {
  const ctx = useWorld('e2e_rollout_approval', {
    service: rolloutService({ stages: [{ percent: 10, requireApproval: true }, { percent: 100 }] }),
  });

  it('waits for Approve after its watch time, then goes on to 100%', async () => {
    const { world } = ctx;
    const canary = addCandidate(world);
    expect(await rollout(world, LEAD_AND_CTO, `${SERVICE} ${canary.id} ${OVERRIDE}`)).toMatch(/started/);
    world.clock.advance(31 * MINUTE);
    await guardRound(world);
    const waiting = await releaseOf(ctx.database.url);
    expect(waiting.state).toBe('awaiting_approval');
    await world.waitForPost('needs approval');
    world.clock.advance(60 * MINUTE);
    await guardRound(world);
    expect(world.vercel.state.project.release?.activeIndex).toBe(0);

    expect(await click(world, 'U0NOBODY1', ids.RELEASE_APPROVE, waiting.id)).toMatch(/Only the DevOps lead/);
    expect(await click(world, LEAD, ids.RELEASE_APPROVE, waiting.id)).toMatch(/watching/);
    expect(world.vercel.state.project.release?.state).toBe('COMPLETE');
    expect((await releaseOf(ctx.database.url)).stageIndex).toBe(1);
  });
});

/**
 * Who the CTO hears about when a person aborts a release with /rollout abort:
 * the abort is a rollback executed by that person, so the runbook's
 * after-hours rule decides. The DevOps lead during working hours executes
 * without notifying anyone; the on-call engineer after hours executes and the
 * CTO gets the after-hours notice naming them. A MUST on the canary, where
 * the bot aborts by itself, tells the CTO once in the release's own words,
 * even when the owner is the on-call engineer after hours (the rest of that
 * case is in rollout-guard.test.ts).
 */
import { createDb } from '../../src/store/pool';
import { silentLogger } from '../../src/logger';
import { type World, useWorld } from '../support/incident-world';
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

const SERVICE = 'dr-amal-clinical-os';
const ONCALL = 'U0ONCALL1';

/** The direct messages the bot has queued (sent or not), oldest first. */
async function directMessages(databaseUrl: string): Promise<{ key: string; dm_user: string; text: string }[]> {
  const db = createDb(databaseUrl, silentLogger, 1);
  try {
    return await db.query({
      text: 'SELECT key, dm_user, text FROM slack_outbox WHERE dm_user IS NOT NULL ORDER BY seq',
    });
  } finally {
    await db.close();
  }
}

const ctoNotices = async (world: World, incidentId: string): Promise<string[]> =>
  (await world.bot.bot.engine.deps.store.timeline(incidentId))
    .filter((t) => t.kind === 'cto_notified')
    .map((t) => t.message);

describe('the DevOps lead aborts a release during working hours (Tuesday 10:00 New York)', () => {
  const ctx = useWorld('e2e_rollout_abort_day', { service: rolloutService() });

  it('rolls back to the base with no notice to the CTO', async () => {
    const { world } = ctx;
    const canary = addCandidate(world);
    expect(await rollout(world, LEAD_AND_CTO, `${SERVICE} ${canary.id} ${OVERRIDE}`)).toMatch(/started/);
    expect(await rollout(world, LEAD, `abort ${SERVICE}`)).toMatch(/aborting/);
    await world.waitForPost('ROLLBACK COMPLETE', 30_000);
    const release = await releaseOf(ctx.database.url);
    expect(release.incidentId).toMatch(/^INC-/);
    expect(await ctoNotices(world, release.incidentId ?? '')).toEqual([]);
    expect(await directMessages(ctx.database.url)).toEqual([]);
  });
});

describe('the on-call engineer aborts a release after hours (Monday 23:30 New York)', () => {
  const ctx = useWorld('e2e_rollout_abort_night', { service: rolloutService(), at: '2026-01-20T04:30:00Z' });

  it('executes, and the CTO gets the after-hours notice naming the on-call engineer', async () => {
    const { world } = ctx;
    const canary = addCandidate(world);
    expect(await rollout(world, LEAD_AND_CTO, `${SERVICE} ${canary.id} ${OVERRIDE}`)).toMatch(/started/);
    expect(await rollout(world, ONCALL, `abort ${SERVICE}`)).toMatch(/aborting/);
    await world.waitForPost('ROLLBACK COMPLETE', 30_000);
    const release = await releaseOf(ctx.database.url);
    expect(await ctoNotices(world, release.incidentId ?? '')).toEqual([
      expect.stringMatching(/^Outside working hours: the on-call engineer executes/),
    ]);
    const dms = await directMessages(ctx.database.url);
    expect(dms.map((d) => d.dm_user).sort()).toEqual(['U0BOTH001', 'U0CTO0001']);
    for (const dm of dms) expect(dm.text).toMatch(/^🌙 After-hours rollback: <@U0ONCALL1> \(on-call\) executed/);
  });
});

describe('a release the on-call engineer started after hours, aborted by a MUST on the canary (Monday 23:30)', () => {
  const ctx = useWorld('e2e_rollout_abort_night_must', { service: rolloutService(), at: '2026-01-20T04:30:00Z' });

  it('tells each CTO once, that the bot aborted it; never that the on-call engineer executed a rollback', async () => {
    const { world } = ctx;
    const canary = addCandidate(world);
    // No override: inside the deploy window, the checklist and the staging smoke tests pass for the on-call owner.
    const started = await rollout(world, ONCALL, `${SERVICE} ${canary.id}`);
    expect(started).toMatch(/started/);
    expect(started).toContain('✓ preflight: The pre-deployment checklist passed.');
    expect(started).toMatch(/✓ deploy-window: .*inside the deploy window/);
    expect(started).not.toMatch(/Overridden/);
    // Starting it after hours is itself the on-call engineer's act the CTO hears of, once.
    const atStart = await directMessages(ctx.database.url);
    expect(atStart.map((d) => d.dm_user).sort()).toEqual(['U0BOTH001', 'U0CTO0001']);
    for (const dm of atStart)
      expect(dm.text).toMatch(/^Outside working hours <@U0ONCALL1> \(on-call\) started release/);

    world.vercel.state.setApp(canary.id, { smokeStatus: 500 });
    await guardRound(world);
    await guardRound(world);
    expect(await releaseOf(ctx.database.url)).toMatchObject({ state: 'aborting', requestedBy: ONCALL });
    await world.waitForPost('ROLLBACK COMPLETE', 30_000);
    const release = await releaseOf(ctx.database.url);
    expect(await ctoNotices(world, release.incidentId ?? '')).toEqual([
      expect.stringMatching(/^Release REL-\S+ aborted on a MUST trigger on the canary at 10% of traffic/),
    ]);
    const sent = (await directMessages(ctx.database.url)).slice(atStart.length);
    expect(sent.map((d) => d.dm_user).sort()).toEqual(['U0BOTH001', 'U0CTO0001']);
    for (const dm of sent) {
      expect(dm.text).toContain('Release aborted on a MUST trigger');
      expect(dm.text).not.toMatch(/After-hours|on-call|Outside working hours|executed/);
    }
  });
});

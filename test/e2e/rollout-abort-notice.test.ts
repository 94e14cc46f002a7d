/**
 * Who the CTO hears about when a person aborts a release with /rollout abort:
 * the abort is a rollback executed by that person, so the runbook's
 * after-hours rule decides. The DevOps lead during working hours executes
 * without notifying anyone; the on-call engineer after hours executes and the
 * CTO gets the after-hours notice naming them. (A MUST on the canary, where
 * the bot aborts by itself, is in rollout-guard.test.ts.)
 */
import { createDb } from '../../src/store/pool';
import { silentLogger } from '../../src/logger';
import { type World, useWorld } from '../support/incident-world';
import {
  LEAD,
  LEAD_AND_CTO,
  OVERRIDE,
  addCandidate,
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

/**
 * For the /rollout end-to-end tests: a candidate deployment of a new commit
 * (READY on production, never served), staging running the same commit on a
 * known host, /rollout typed by a person with its answer, and guard rounds
 * ticked by hand on the world's clock.
 */
import type { StandinDeployment } from '../../src/standins/vercel/state';
import { ROLLOUT_GUARD_JOB } from '../../src/progressive-rollout';
import { createReleaseStore, type StoredRelease } from '../../src/store/release-store';
import { createDb } from '../../src/store/pool';
import { silentLogger } from '../../src/logger';
import { SERVICE, type World } from './incident-world';

const STAGING_HOST = 'dr-amal-clinical-os-staging.vercel.app';
export const LEAD = 'U0DEVOPS1';
/** Both DevOps lead and CTO: may start a release and override its gates. */
export const LEAD_AND_CTO = 'U0BOTH001';
export const OVERRIDE = 'override preflight,window the security fix cannot wait for the night';

/** The service's rollout settings pointing staging at the stand-in's staging host. */
export const rolloutService =
  (rollout: Record<string, unknown> = {}) =>
  ({ appUrl }: { appUrl: string }): Record<string, unknown> => ({
    rollout: { stagingUrl: `${appUrl}/_deployments/${STAGING_HOST}`, ...rollout },
  });

/** A new commit built for production (not promoted) and the same commit on staging; steady latencies on both sides. */
export function addCandidate(world: World): StandinDeployment {
  const commit = world.git.commit({ 'app.txt': 'v2.1.0\n' }, 'feat: 2.1.0');
  world.git.push();
  const canary = world.vercel.state.addDeployment({ version: '2.1.0', commit, servedProduction: false });
  // Staging keeps its host: a later candidate is deployed there over the one before.
  if (world.vercel.state.find(STAGING_HOST)) world.vercel.state.setApp(STAGING_HOST, { version: '2.1.0', commit });
  else world.vercel.state.addDeployment({ target: null, version: '2.1.0', commit, url: STAGING_HOST });
  // Measurable latencies on both, so P95 compares figures, not scheduler noise.
  world.vercel.state.setApp(canary.id, { latencyMs: 40 });
  world.vercel.state.setApp(world.history.bad.id, { latencyMs: 40 });
  return canary;
}

let responses = 0;

/** Types /rollout as `user` and returns the answer that follows the ack. */
export async function rollout(world: World, user: string, text: string): Promise<string> {
  responses += 1;
  const responseId = `rollout-${responses}`;
  await world.bot.sender.slashCommand({ text, userId: user, command: '/rollout', responseId });
  const answer = await world.slack.waitForResponse((p) => p.id === responseId, 30_000);
  return JSON.stringify(answer.body);
}

export async function click(world: World, user: string, actionId: string, releaseId: string): Promise<string> {
  responses += 1;
  const responseId = `release-click-${responses}`;
  await world.bot.sender.blockAction({ userId: user, actionId, value: releaseId, responseId });
  return JSON.stringify((await world.slack.waitForResponse((p) => p.id === responseId, 30_000)).body);
}

/** One guard round, as the scheduler would run it. */
export async function guardRound(world: World): Promise<void> {
  const outcome = await world.bot.bot.engine.scheduler.runTick(ROLLOUT_GUARD_JOB, world.clock.now());
  if (outcome.error) throw outcome.error;
}

export async function releaseOf(databaseUrl: string): Promise<StoredRelease> {
  const db = createDb(databaseUrl, silentLogger, 1);
  try {
    const release = await createReleaseStore(db).latest(SERVICE);
    if (!release) throw new Error('no release recorded');
    return release;
  } finally {
    await db.close();
  }
}

export const MINUTE = 60_000;

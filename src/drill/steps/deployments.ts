/**
 * Step 1: a good deployment, then a bad one. Production runs 1.5.0 when the
 * drill starts; the developer pushes the last known good release (1.9.0) and
 * Vercel's git integration ships it. Then the AI release is
 * pushed: its migration adds columns and a table, its code answers most
 * requests with 500. Doctors use the AI features for a moment (the data a
 * schema rollback must not lose), and monitoring starts watching.
 */
import { type Deployed, type DrillContext, type Problems, servedVersion } from '../context';
import { runStatements } from '../app-database';
import { AI_WRITES, BAD_COMMIT, GOOD_COMMIT, MIGRATION_COMMIT } from '../scratch-app';

async function ship(ctx: DrillContext, commit: string, expectVersion: string): Promise<Deployed | string> {
  const build = await ctx.world.integration.waitForBuild(commit);
  if (!build) return `Vercel did not build ${commit.slice(0, 7)} within 30 s`;
  if (build.state !== 'READY' || !build.deploymentId)
    return `the build of ${commit.slice(0, 7)} ended ${build.state}${build.error ? `: ${build.error}` : ''}`;
  if (ctx.world.vercel.state.production()?.id !== build.deploymentId)
    return `the build of ${commit.slice(0, 7)} is READY but does not serve production`;
  const served = await servedVersion(ctx);
  if (served.version !== expectVersion)
    return `production answers version ${served.version ?? '(no answer)'}, not ${expectVersion}`;
  // Live since Vercel assigned its production domains, not since the drill looked.
  const aliased = ctx.world.vercel.state.production()?.aliasAssigned;
  return { commit, deploymentId: build.deploymentId, version: build.version, liveAt: aliased ?? Date.now() };
}

export async function deployGoodThenBad(ctx: DrillContext): Promise<Problems> {
  const { world, facts } = ctx;
  const good = await world.repo.commit(GOOD_COMMIT.files, GOOD_COMMIT.message);
  await world.repo.push();
  ctx.note(`developer pushed ${good.slice(0, 7)} "${GOOD_COMMIT.message}" (1.9.0)`);
  const shippedGood = await ship(ctx, good, '1.9.0');
  if (typeof shippedGood === 'string') return [`the good deployment did not go live: ${shippedGood}`];
  facts.good = shippedGood;
  ctx.note(`1.9.0 serves production at ${world.vercel.appUrl}`);

  facts.migrationCommit = await world.repo.commit(MIGRATION_COMMIT.files, MIGRATION_COMMIT.message);
  const bad = await world.repo.commit(BAD_COMMIT.files, BAD_COMMIT.message);
  await world.repo.push();
  ctx.note(
    `developer pushed ${facts.migrationCommit.slice(0, 7)} ` +
      `"${MIGRATION_COMMIT.message}" and ${bad.slice(0, 7)} "${BAD_COMMIT.message}" ` +
      `(2.0.0-beta)`,
  );
  const shippedBad = await ship(ctx, bad, '2.0.0-beta');
  if (typeof shippedBad === 'string') return [`the bad deployment did not go live: ${shippedBad}`];
  facts.bad = shippedBad;
  await runStatements(world.databases.appUrl, AI_WRITES);
  ctx.note(
    '2.0.0-beta serves production; doctors wrote AI summaries on 30 notes and 10 AI ' +
      'runs (new data in the new columns and table)',
  );

  if (world.breaks.has('vercel-build')) {
    world.vercel.state.buildPlan = { outcome: 'ERROR', readsPerStep: 1 };
    ctx.note('--break vercel-build: from now on every production build ends in ERROR');
  }
  world.alerting.start();
  ctx.note(
    world.detect === 'probes'
      ? 'monitoring started with the alert source switched off: Prometheus measures the ' +
          "5xx share, Alertmanager posts nothing; only the bot's probes can tell"
      : 'monitoring started: Prometheus measures the 5xx share of production traffic, ' +
          'Alertmanager posts to #prod-alerts above 25%',
  );
  return [];
}

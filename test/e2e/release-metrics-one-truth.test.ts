/**
 * One truth for the progressive rollout's figures, through the running bot: a
 * release that completes (10% → 50% → 100%) and one the DevOps lead aborts at
 * 10%. Releases started, aborted and the share of traffic exposed at abort
 * read the same in `/rollback stats`, in the Prometheus gauges on /metrics and
 * on App Home (as views.publish sent it), all from release-metrics'
 * measureReleases: 2 started, 1 aborted, 10% exposed on average and at most.
 */
import { allTexts } from '../unit/blocks/fixtures';
import { commandAnswer } from '../support/flags';
import { SERVICE, useWorld } from '../support/incident-world';
import {
  LEAD,
  LEAD_AND_CTO,
  MINUTE,
  OVERRIDE,
  addCandidate,
  guardRound,
  releaseOf,
  rollout,
  rolloutService,
} from '../support/rollout-world';
import { gauge, homeOf } from '../support/surfaces';

interface ReleaseNumbers {
  started: number;
  aborted: number;
  meanPercent?: number;
  maxPercent?: number;
}

const LINE =
  /Progressive rollouts: (\d+) started, (\d+) aborted(?:; traffic exposed at abort: ([\d.]+)% on average, ([\d.]+)% at most)?/;

/** The figures of the "Progressive rollouts: ..." line. */
function fromLine(text: string, where: string): ReleaseNumbers {
  const found = LINE.exec(text);
  if (!found) throw new Error(`${where}: no progressive rollouts line in ${text.slice(0, 3000)}`);
  const exposed = found[3] === undefined ? {} : { meanPercent: Number(found[3]), maxPercent: Number(found[4]) };
  return { started: Number(found[1]), aborted: Number(found[2]), ...exposed };
}

function fromGauges(metrics: string): ReleaseNumbers {
  const exposed = (aggregate: string) =>
    gauge(metrics, 'rollback_bot_release_traffic_exposed_at_abort_percent', { service: SERVICE, aggregate });
  return {
    started: gauge(metrics, 'rollback_bot_releases_started', { service: SERVICE }),
    aborted: gauge(metrics, 'rollback_bot_releases_aborted', { service: SERVICE }),
    meanPercent: exposed('mean'),
    maxPercent: exposed('worst'),
  };
}

describe('the release figures read the same on every surface', () => {
  const ctx = useWorld('e2e_release_truth', { service: rolloutService() });

  it('/rollback stats, /metrics and App Home give equal releases, aborts and traffic exposed at abort', async () => {
    const { world } = ctx;
    const first = addCandidate(world);
    expect(await rollout(world, LEAD_AND_CTO, `${SERVICE} ${first.id} ${OVERRIDE}`)).toMatch(/started/);
    for (let stage = 0; stage < 4; stage += 1) {
      await guardRound(world);
      world.clock.advance(30 * MINUTE);
    }
    await guardRound(world);
    expect(await releaseOf(ctx.database.url)).toMatchObject({ state: 'completed' });

    const second = addCandidate(world);
    expect(await rollout(world, LEAD_AND_CTO, `${SERVICE} ${second.id} ${OVERRIDE}`)).toMatch(/started/);
    expect(await rollout(world, LEAD, `abort ${SERVICE}`)).toMatch(/aborting/);
    await world.waitForPost('ROLLBACK COMPLETE', 30_000);
    expect(await releaseOf(ctx.database.url)).toMatchObject({ canary: { id: second.id }, abortedAtPercent: 10 });

    const stats = await commandAnswer(world, `stats ${SERVICE}`, LEAD);
    const allStats = await commandAnswer(world, 'stats', LEAD);
    const metrics = await (await fetch(`${world.bot.baseUrl}/metrics`)).text();
    const home = allTexts(await homeOf(world, LEAD)).join('\n');

    const expected: ReleaseNumbers = { started: 2, aborted: 1, meanPercent: 10, maxPercent: 10 };
    expect({
      stats: fromLine(stats, '/rollback stats <service>'),
      allStats: fromLine(allStats, '/rollback stats'),
      metrics: fromGauges(metrics),
      home: fromLine(home, 'App Home'),
    }).toEqual({ stats: expected, allStats: expected, metrics: expected, home: expected });
  }, 90_000);
});

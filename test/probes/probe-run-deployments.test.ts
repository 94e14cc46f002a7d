/**
 * One probe run after another against the Vercel stand-in (real HTTP), a real
 * app database for the write probe, and the bot's real PostgreSQL, as
 * production moves: every check recorded with what production served, the
 * first deployment seen, a new deployment recorded and the previous one closed,
 * and a new deployment's go-live dated from Vercel's alias time. Each test goes
 * on from the deployments the one before it left.
 */
import { runProbes } from '../../src/probes/probe-run';
import { rows } from '../support/database';
import { useProbeRunWorld } from './support/probe-run-world';

describe('a probe run', () => {
  const world = useProbeRunWorld('probes_run_deployments');
  const { clock, database, appDatabase, deployments, serviceTimeline } = world;

  it('records every check with what production served, and the first deployment it sees', async () => {
    const good = world.vercel.state.addDeployment({
      version: '1.9.0',
      commit: 'b7920c6'.padEnd(40, '0'),
      commitMessage: 'feat: Complete Phase 2 frontend\n\nlong body',
      live: true,
    });
    const run = await runProbes(world.deps, world.service);
    expect(run.results.map((r) => [r.check, r.ok, r.statusCode, r.signIn])).toEqual([
      ['health', true, 200, false],
      ['version', true, 200, false],
      ['smoke:sign-in', true, 200, true],
      ['db_write', true, undefined, false],
    ]);
    expect(run.served).toEqual({ deploymentId: good.id, version: '1.9.0', commitSha: 'b7920c6' });
    expect(run.newDeployment?.deploymentId).toBe(good.id);
    const stored = await rows<{
      check_name: string;
      deployment_id: string;
      commit_sha: string;
      latency_ms: number;
      at: Date;
    }>(database.url, 'SELECT * FROM probe_results ORDER BY id');
    expect(stored).toHaveLength(4);
    expect(
      stored.every(
        (r) =>
          r.deployment_id === good.id &&
          r.commit_sha === 'b7920c6' &&
          r.at.getTime() === clock.now().getTime() &&
          r.latency_ms >= 0,
      ),
    ).toBe(true);
    expect(await deployments()).toEqual([
      {
        deployment_id: good.id,
        version: '1.9.0',
        served_from: clock.now(),
        served_until: null,
        notes: 'feat: Complete Phase 2 frontend',
      },
    ]);
    expect(await serviceTimeline()).toEqual([
      {
        kind: 'deployment_seen',
        incident_id: null,
        message: expect.stringMatching(/^New deployment seen: 1\.9\.0, commit b7920c6 \(dpl_\w+\)\.$/),
      },
    ]);
    // The write probe committed its row (the audit trigger's row survived) and deleted it again.
    expect(await rows(appDatabase.url, 'SELECT * FROM rollback_bot_write_probe')).toEqual([]);
    expect(await rows(appDatabase.url, 'SELECT * FROM probe_audit')).toHaveLength(1);
  });

  it('sees production move to a new deployment: records it from now and closes the previous one, once', async () => {
    const [before] = await deployments();
    clock.advance(30_000);
    const bad = world.vercel.state.addDeployment({
      version: '2.0.0-beta',
      commit: 'b90de38'.padEnd(40, '1'),
      live: true,
    });
    const run = await runProbes(world.deps, world.service);
    expect(run.newDeployment).toMatchObject({ deploymentId: bad.id, version: '2.0.0-beta', servedFrom: clock.now() });
    expect(await deployments()).toEqual([
      { ...before, served_until: clock.now() },
      expect.objectContaining({ deployment_id: bad.id, served_from: clock.now(), served_until: null }),
    ]);
    expect((await serviceTimeline()).at(-1)?.message).toMatch(
      new RegExp(
        /^New deployment seen: 2\.0\.0-beta, commit b90de38 \(dpl_\w+\), /.source +
          /replacing 1\.9\.0 \(commit b7920c6, dpl_\w+\)\.$/.source,
      ),
    );

    clock.advance(30_000);
    const again = await runProbes(world.deps, world.service);
    expect(again.newDeployment).toBeUndefined();
    expect(again.served.deploymentId).toBe(bad.id);
    expect(await serviceTimeline()).toHaveLength(2);
    expect(world.vercel.state.count('GET', '/v9/projects')).toBe(2);
  });

  it(
    "dates a new deployment's go-live from Vercel's alias time, never before the last " +
      'run that saw the previous one',
    async () => {
      // Go-live is when production started serving it, not when a probe happened to notice: 20 s before this run.
      clock.advance(30_000);
      const lastSeenOld = clock.now();
      await runProbes(world.deps, world.service);
      clock.advance(30_000);
      const next = world.vercel.state.addDeployment({
        version: '3.0.1',
        commit: 'c0ffee1'.padEnd(40, '2'),
        live: true,
      });
      next.aliasAssigned = clock.now().getTime() - 20_000;
      const run = await runProbes(world.deps, world.service);
      expect(run.newDeployment).toMatchObject({
        deploymentId: next.id,
        servedFrom: new Date(clock.now().getTime() - 20_000),
      });
      expect((await deployments()).find((d) => d.deployment_id === next.id)?.served_from).toEqual(
        new Date(clock.now().getTime() - 20_000),
      );

      // An alias time from before the previous deployment was last seen serving (a deployment promoted again)
      // is bounded by that run.
      clock.advance(30_000);
      const lastSeenNext = clock.now();
      await runProbes(world.deps, world.service);
      clock.advance(30_000);
      const again = world.vercel.state.addDeployment({
        version: '3.0.2',
        commit: 'c0ffee2'.padEnd(40, '3'),
        live: true,
      });
      again.aliasAssigned = lastSeenOld.getTime();
      expect((await runProbes(world.deps, world.service)).newDeployment?.servedFrom).toEqual(lastSeenNext);
    },
  );
});

/**
 * The stand-in's rolling release behaves as Vercel's: timed stages end by
 * themselves when their minutes are up (on the stand-in's clock), stages
 * without a duration wait for approval, the production domains send the
 * active stage's share of requests to the canary, and a promote while a
 * configuration is set starts a release.
 */
import { createRollingReleases } from '../../src/vercel/rolling-release';
import { PROJECT, TEAM, useSeededHarness } from './harness';

const ref = { projectId: PROJECT, teamId: TEAM };

async function versionsServed(appUrl: string, requests: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < requests; i += 1) {
    const body = (await (await fetch(`${appUrl}/api/version`)).json()) as { version: string };
    counts[body.version] = (counts[body.version] ?? 0) + 1;
  }
  return counts;
}

async function patchConfig(url: string, token: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${url}/v1/projects/${PROJECT}/rolling-release/config?teamId=${TEAM}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

describe('the stand-in rolling release', () => {
  const world = useSeededHarness();
  const releases = () =>
    createRollingReleases({
      token: world.h.standin.token,
      apiUrl: world.h.standin.url,
      sleep: () => Promise.resolve(),
      now: () => world.h.clock.now().getTime(),
    });

  it('advances a timed stage when its minutes are up, and completes at the final stage', async () => {
    const { h } = world;
    const patched = await patchConfig(h.standin.url, h.standin.token, {
      target: 'production',
      stages: [
        { targetPercentage: 10, duration: 30 },
        { targetPercentage: 50, duration: 30 },
        { targetPercentage: 100 },
      ],
    });
    expect(patched.status).toBe(200);
    const canary = h.standin.state.addDeployment({ version: '2.1.0', servedProduction: false });
    await releases().start(ref, canary.id);
    h.clock.advance(29 * 60_000);
    expect((await releases().read(ref))?.activeStage?.targetPercentage).toBe(10);
    h.clock.advance(60_000);
    expect((await releases().read(ref))?.activeStage?.targetPercentage).toBe(50);
    h.clock.advance(30 * 60_000);
    expect(await releases().read(ref)).toMatchObject({
      state: 'COMPLETE',
      activeStage: { targetPercentage: 100, isFinalStage: true },
    });
  });

  it('holds a stage that needs approval however long it waits', async () => {
    const { h } = world;
    await releases().configure(ref, [{ targetPercentage: 10 }, { targetPercentage: 100 }]);
    const canary = h.standin.state.addDeployment({ version: '2.1.0', servedProduction: false });
    await releases().start(ref, canary.id);
    h.clock.advance(24 * 60 * 60_000);
    expect(await releases().read(ref)).toMatchObject({ state: 'ACTIVE', activeStage: { index: 0 } });
  });

  it('serves the canary to exactly its share of production requests, and none once aborted', async () => {
    const { h, history } = world;
    await releases().configure(ref, [{ targetPercentage: 10 }, { targetPercentage: 100 }]);
    const canary = h.standin.state.addDeployment({ version: '2.1.0', servedProduction: false });
    await releases().start(ref, canary.id);
    expect(await versionsServed(h.standin.appUrl, 40)).toEqual({ '2.1.0': 4, '2.0.0-beta': 36 });
    // The instant rollback is an alias job: the abort follows it until every domain is back on the base.
    expect(await releases().abort(ref, history.current.id, 'canary failed', 10_000)).toMatchObject({
      method: 'instant-rollback',
      status: 'succeeded',
      targetId: history.current.id,
      fromDeploymentId: canary.id,
    });
    expect(h.standin.state.project.lastAliasRequest?.jobStatus).toBe('succeeded');
    expect(await versionsServed(h.standin.appUrl, 10)).toEqual({ '2.0.0-beta': 10 });
  });

  it('starts a release when a deployment is promoted while a configuration is set', async () => {
    const { h } = world;
    await releases().configure(ref, [{ targetPercentage: 25 }, { targetPercentage: 100 }]);
    const canary = h.standin.state.addDeployment({ version: '2.1.0', servedProduction: false });
    const res = await fetch(`${h.standin.url}/v10/projects/${PROJECT}/promote/${canary.id}?teamId=${TEAM}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.standin.token}` },
    });
    expect(res.status).toBe(201);
    expect(await releases().read(ref)).toMatchObject({
      state: 'ACTIVE',
      canary: { id: canary.id },
      activeStage: { targetPercentage: 25 },
    });
  });

  it('refuses stages Vercel would refuse, with its error shape', async () => {
    const { h } = world;
    const refused = await patchConfig(h.standin.url, h.standin.token, {
      stages: [{ targetPercentage: 50 }, { targetPercentage: 10 }],
    });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({
      error: { code: 'bad_request', message: expect.stringContaining('greater than the stage before') },
    });
    expect(
      (
        await patchConfig(h.standin.url, h.standin.token, {
          stages: [{ targetPercentage: 10 }, { targetPercentage: 90 }],
        })
      ).status,
    ).toBe(400);
  });
});

/**
 * The stand-in's Rolling Releases API held to Vercel's contract: every answer
 * the adapter meets while configuring, starting, reading, approving,
 * completing and aborting a release (and each refusal) fits @vercel/sdk's
 * response models.
 */
import { createRollingReleases } from '../../src/vercel/rolling-release';
import { seen, violations } from './contract/sdk-answers';
import { PROJECT, TEAM, useSeededHarness } from './harness';

describe('the rolling release stand-in answers as Vercel documents', () => {
  const world = useSeededHarness();

  it('every answer of a rolling release (configure, start, read, approve, complete, abort) fits', async () => {
    const sleep = () => Promise.resolve();
    const now = () => world.h.clock.now().getTime();
    const releases = createRollingReleases({ token: world.h.standin.token, apiUrl: world.h.standin.url, sleep, now });
    const ref = { projectId: PROJECT, teamId: TEAM };
    const state = world.h.standin.state;
    await expect(releases.start(ref, world.history.v190.id)).rejects.toMatchObject({ code: 'bad_input' });
    await releases.configure(ref, [{ targetPercentage: 10 }, { targetPercentage: 50 }, { targetPercentage: 100 }]);
    const canary = state.addDeployment({ version: '2.1.0', servedProduction: false });
    expect(await releases.read(ref)).toBeUndefined();
    const started = await releases.start(ref, canary.id);
    expect(started).toMatchObject({ state: 'ACTIVE', activeStage: { index: 0, targetPercentage: 10 } });
    await expect(releases.start(ref, canary.id)).rejects.toMatchObject({ code: 'conflict' });
    await expect(releases.approveStage(ref, canary.id, 2)).rejects.toMatchObject({ code: 'bad_input' });
    expect(await releases.approveStage(ref, canary.id, 1)).toMatchObject({ activeStage: { targetPercentage: 50 } });
    expect(await releases.complete(ref, canary.id)).toMatchObject({ state: 'COMPLETE', base: { id: canary.id } });
    const next = state.addDeployment({ version: '2.2.0', servedProduction: false });
    await releases.start(ref, next.id);
    expect(await releases.abort(ref, canary.id, 'canary failed', 10_000)).toMatchObject({ status: 'succeeded' });
    expect(await releases.read(ref)).toMatchObject({ state: 'ABORTED', activeStage: undefined });
    await world.h.app.describeProduction(world.h.service);
    const answers = state.answers;
    expect([...seen(answers)]).toEqual(
      expect.arrayContaining([
        'updateRollingReleaseConfig 200',
        'startRollingRelease 200',
        'startRollingRelease 400',
        'startRollingRelease 409',
        'getRollingRelease 200',
        'approveRollingReleaseStage 200',
        'approveRollingReleaseStage 400',
        'completeRollingRelease 200',
        'requestRollback 201',
        'getProject 200',
      ]),
    );
    expect(violations(answers)).toEqual([]);
  });
});

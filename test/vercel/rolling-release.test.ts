/**
 * Rolling releases: a promote answered 202 is queued behind the active
 * release and says so; /rollback during an active release goes back to the
 * release's base deployment, or to a named one that served production, with an
 * instant rollback, which aborts it (even where the service promotes).
 */
import type { DeploymentId, IncidentId } from '../../src/rollback/ids';
import type { ServiceConfig } from '../../src/config/service-schema';
import { type Harness, useSeededHarness } from './harness';

const incidentId = 'inc_rolling' as IncidentId;

describe('rolling releases', () => {
  const world = useSeededHarness();

  it('rolls back to the base of an active release and says the instant rollback aborted it', async () => {
    const { h, history } = world;
    // 2.0.0-beta was live; 2.1.0 is being rolled out over it.
    const canary = h.standin.state.addDeployment({ version: '2.1.0', servedProduction: false });
    h.standin.state.startRollingRelease(canary);
    const resolved = await h.app.resolveTarget(h.service);
    expect(resolved.target.id).toBe(history.current.id);
    expect(resolved.current.id).toBe(canary.id);
    const moved = await h.app.moveProduction({ incidentId, service: h.service, targetId: resolved.target.id });
    expect(moved.status).toBe('succeeded');
    expect(moved.explanation).toContain(`rolling release of ${canary.id}`);
    expect(moved.explanation).toContain('aborts it');
    expect(h.standin.state.project.release?.state).toBe('ABORTED');
    expect(h.standin.state.production()?.id).toBe(history.current.id);
  });

  it('says a promote answered 202 was queued behind the active release', async () => {
    const { h, history } = world;
    const canary = h.standin.state.addDeployment({ version: '2.1.0', servedProduction: false });
    h.standin.state.startRollingRelease(canary);
    // A deploy's or an Unpin's promote, not a rollback: it may wait for the release.
    const moved = await h.app.promote({ incidentId, service: h.service, targetId: history.v190.id as DeploymentId });
    expect(h.standin.state.answers.some((a) => a.path.includes('/promote/') && a.status === 202)).toBe(true);
    expect(moved.explanation).toContain('queued behind the active rolling release');
  });

  // A promote would only queue behind the release, the canary keeping its share of production traffic.
  it.each([
    ['its base (2.0.0-beta)', '2.0.0-beta'],
    ['a named deployment other than its base that served production (1.9.0)', '1.9.0'],
  ])(
    'with the promote method during an active release, rolls back to %s by an instant rollback: the release aborts',
    async (_words, version) => {
      const { h } = world;
      const canary = h.standin.state.addDeployment({ version: '2.1.0', servedProduction: false });
      h.standin.state.startRollingRelease(canary);
      const resolved = await h.app.resolveTarget(promoteService(h), version);
      const moved = await h.app.moveProduction({
        incidentId,
        service: promoteService(h),
        targetId: resolved.target.id,
      });
      expect(moved).toMatchObject({ method: 'instant-rollback', status: 'succeeded', targetId: resolved.target.id });
      expect(moved.explanation).toContain('this instant rollback aborts it');
      expect(h.standin.state.count('POST', '/promote/')).toBe(0);
      expect(h.standin.state.project.release?.state).toBe('ABORTED');
      expect(h.standin.state.production()?.id).toBe(resolved.target.id);
    },
  );

  it(
    'with the promote method, refuses a named target that never served production during an active release, ' +
      'saying how to get the canary out of the way',
    async () => {
      const { h } = world;
      const staged = h.standin.state.addDeployment({ version: '2.0.1', servedProduction: false });
      const canary = h.standin.state.addDeployment({ version: '2.1.0', servedProduction: false });
      h.standin.state.startRollingRelease(canary);
      await expect(h.app.resolveTarget(promoteService(h), staged.id)).rejects.toMatchObject({
        code: 'bad_input',
        message: expect.stringContaining('never served production'),
        fix: expect.stringContaining(`/rollout abort ${h.service.name}`),
      });
      expect(h.standin.state.requests.filter((r) => r.method === 'POST')).toEqual([]);
      expect(h.standin.state.project.release?.state).toBe('ACTIVE');
    },
  );

  it(
    'does not ask for a release when the project has no rolling release configured ' +
      '(project.rollingRelease is null)',
    async () => {
      const { h, history } = world;
      const resolved = await h.app.resolveTarget(h.service);
      expect(resolved.target.id).toBe(history.v190.id);
      expect(h.standin.state.count('GET', '/rolling-release')).toBe(0);
    },
  );

  it(
    'asks when a rolling release is configured, and with none active the default ' +
      'target stays the previous production',
    async () => {
      const { h, history } = world;
      const canary = h.standin.state.addDeployment({ version: '2.1.0', servedProduction: false });
      h.standin.state.startRollingRelease(canary);
      const release = h.standin.state.project.release;
      if (release) release.state = 'COMPLETE';
      h.standin.state.project.rollingRelease = false;
      const resolved = await h.app.resolveTarget(h.service);
      expect(resolved.current.id).toBe(canary.id);
      expect(resolved.target.id).toBe(history.current.id);
      expect(h.standin.state.count('GET', '/rolling-release')).toBe(1);
    },
  );
});

function promoteService(h: Harness): ServiceConfig {
  return { ...h.service, vercel: { ...h.service.vercel, rollbackMethod: 'promote' } };
}

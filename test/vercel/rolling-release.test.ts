/**
 * Rolling releases: a promote answered 202 is queued behind the active
 * release and says so; /rollback during an active release goes back to the
 * release's base deployment with an instant rollback, which aborts it.
 */
import type { DeploymentId, IncidentId } from '../../src/rollback/ids';
import { useSeededHarness } from './harness';

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
    const promote = { ...h.service, vercel: { ...h.service.vercel, rollbackMethod: 'promote' as const } };
    const moved = await h.app.moveProduction({
      incidentId,
      service: promote,
      targetId: history.v190.id as DeploymentId,
    });
    expect(h.standin.state.answers.some((a) => a.path.includes('/promote/') && a.status === 202)).toBe(true);
    expect(moved.explanation).toContain('queued behind the active rolling release');
  });

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

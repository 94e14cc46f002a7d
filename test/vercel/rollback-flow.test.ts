import type { DeploymentId, IncidentId } from '../../src/rollback/ids';
import { type Harness, type History, seedHistory, startHarness } from './harness';

const incidentId = 'inc_flow' as IncidentId;

describe('rollback end to end: target, move, verify', () => {
  let h: Harness;
  let history: History;

  beforeEach(async () => {
    h = await startHarness();
    history = seedHistory(h);
    // The bad release: production answers 500 on health and fails the sign-in smoke test.
    h.standin.state.setApp(history.current.id, { healthStatus: 500, smokeStatus: 500 });
  });
  afterEach(() => h.stop());

  it('moves production to the last good deployment and proves it with health, version and smoke checks', async () => {
    const before = await h.app.verify(h.service, {});
    expect(before.passed).toBe(false);
    const target = await h.app.resolveTarget(h.service);
    const moved = await h.app.moveProduction({ incidentId, service: h.service, targetId: target.target.id });
    expect(moved.status).toBe('succeeded');
    const report = await h.app.verify(h.service, {
      version: target.target.version,
      commitSha: target.target.commitSha,
    });
    expect(report.passed).toBe(true);
    expect(report.checks.map((c) => [c.name, c.pass, c.status])).toEqual([
      ['health', true, 200],
      ['version', true, 200],
      ['smoke: sign-in', true, 200],
    ]);
    expect(report.checks.every((c) => c.latencyMs >= 0)).toBe(true);
  });

  it('fails verification after a successful move and names the failing check', async () => {
    h.standin.state.setApp(history.v190.id, { smokeStatus: 503 });
    const moved = await h.app.moveProduction({
      incidentId,
      service: h.service,
      targetId: history.v190.id as DeploymentId,
    });
    expect(moved.status).toBe('succeeded');
    const report = await h.app.verify(h.service, { version: '1.9.0' });
    expect(report.passed).toBe(false);
    expect(report.failedCheck).toMatchObject({ name: 'smoke: sign-in', pass: false, status: 503 });
    expect(report.failedCheck?.detail).toContain('expected 200');
    expect(report.attempts).toBeGreaterThan(1);
    expect(report.checks.filter((c) => c.pass).map((c) => c.name)).toEqual(['health', 'version']);
  });
});

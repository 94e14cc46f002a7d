import type { IncidentId } from '../../src/rollback/ids';
import type { DeploymentId } from '../../src/rollback/ids';
import type { ServiceConfig } from '../../src/config/service-schema';
import { type Harness, type History, seedHistory, startHarness } from './harness';

const incidentId = 'inc_1' as IncidentId;

describe('moving production', () => {
  let h: Harness;
  let history: History;
  const move = (service: ServiceConfig = h.service, targetId = history.v190.id) =>
    h.app.moveProduction({ incidentId, service, targetId: targetId as DeploymentId });
  const promoteService = (): ServiceConfig => ({
    ...h.service,
    vercel: { ...h.service.vercel, rollbackMethod: 'promote' },
  });

  beforeEach(async () => {
    h = await startHarness();
    history = seedHistory(h);
  });
  afterEach(() => h.stop());

  it(
    'rolls back instantly, waits through pending and in-progress, confirms ' +
      'targets.production and explains the pin',
    async () => {
      h.standin.state.nextJob = { outcome: 'succeeded', pollsPerStep: 2, failedAliases: [] };
      const result = await move();
      expect(result).toMatchObject({
        method: 'instant-rollback',
        status: 'succeeded',
        targetId: history.v190.id,
        fromDeploymentId: history.current.id,
        failedAliases: [],
        reusedRequest: false,
      });
      expect(result.explanation).toContain('instant rollback');
      expect(result.explanation).toContain('environment variables and cron jobs');
      expect(result.explanation).toContain('until someone promotes');
      expect(h.standin.state.count('POST', `/v1/projects/dr-amal-clinical-os/rollback/${history.v190.id}`)).toBe(1);
      expect(h.standin.state.production()?.id).toBe(history.v190.id);
      expect((await h.app.describeProduction(h.service)).pinnedByRollback).toBe(true);
      expect(h.sleeps.filter((ms) => ms === 1000).length).toBeGreaterThanOrEqual(3);
    },
  );

  it('promotes when the service says so (201) and production stays unpinned', async () => {
    const result = await move(promoteService());
    expect(result).toMatchObject({ method: 'promote', status: 'succeeded' });
    expect(result.explanation).toContain('promote');
    expect(h.standin.state.count('POST', '/v10/projects/dr-amal-clinical-os/promote/')).toBe(1);
    expect(h.standin.state.project.autoAssignCustomDomains).toBe(true);
  });

  it('waits on a promote queued behind an active rolling release (202)', async () => {
    const canary = h.standin.state.addDeployment({ version: '2.1.0', servedProduction: false });
    h.standin.state.startRollingRelease(canary);
    // A deploy's or an Unpin's promote; a rollback would go by instant rollback (rolling-release.test.ts).
    const result = await h.app.promote({ incidentId, service: h.service, targetId: history.v190.id as DeploymentId });
    expect(result).toMatchObject({ method: 'promote', status: 'succeeded' });
    expect(result.explanation).toContain('queued behind the active rolling release');
  });

  it(
    'with the promote method and rolling releases configured (none active), rolls back by an instant rollback: ' +
      'a promote would start a staged release of the target',
    async () => {
      // The configuration stays after a release ends (aborted or complete); Vercel then stages every promote.
      h.standin.state.project.releaseConfig = {
        target: 'production',
        stages: [{ targetPercentage: 10, duration: 30 }, { targetPercentage: 100 }],
      };
      const result = await move(promoteService());
      expect(result).toMatchObject({ method: 'instant-rollback', status: 'succeeded', targetId: history.v190.id });
      expect(h.standin.state.count('POST', '/promote/')).toBe(0);
      expect(h.standin.state.project.release).toBeUndefined();
      expect(h.standin.state.production()?.id).toBe(history.v190.id);
    },
  );

  it('treats 409 for the live deployment as a no-op, not a failure', async () => {
    // Production already serves the target while another job is still listed: Vercel answers 409.
    h.standin.state.project.productionId = history.v190.id;
    h.standin.state.project.lastAliasRequest = {
      type: 'promote',
      toDeploymentId: history.v150.id,
      fromDeploymentId: null,
      jobStatus: 'pending',
      requestedAt: 0,
    };
    const result = await move(promoteService());
    expect(h.standin.state.count('POST', '/promote/')).toBe(1);
    expect(result.status).toBe('already-live');
    expect(result.explanation).toContain('nothing was moved');
  });

  it('reports already-live without asking Vercel when the target serves production', async () => {
    const result = await move(h.service, history.current.id);
    expect(result.status).toBe('already-live');
    expect(h.standin.state.count('POST', '/rollback/')).toBe(0);
  });

  it('turns a 409 caused by another running move into a retryable conflict', async () => {
    h.standin.state.project.lastAliasRequest = {
      type: 'promote',
      toDeploymentId: history.v150.id,
      fromDeploymentId: null,
      jobStatus: 'in-progress',
      requestedAt: 0,
    };
    await expect(move()).rejects.toMatchObject({
      code: 'conflict',
      retryable: true,
      message: expect.stringContaining(`to ${history.v150.id}`),
    });
  });

  it('explains the Hobby plan limit on 402', async () => {
    await h.stop();
    h = await startHarness({ standin: { plan: 'hobby' } });
    history = seedHistory(h);
    await expect(move(h.service, history.v150.id)).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('HTTP 402'),
      fix: expect.stringContaining('Hobby plan can only roll back to the production deployment just before'),
    });
    await expect(move(h.service, history.v190.id)).resolves.toMatchObject({ status: 'succeeded' });
  });

  it('lists the aliases that failed to move', async () => {
    h.standin.state.nextJob = { outcome: 'failed', pollsPerStep: 1, failedAliases: ['www.dr-amal.com'] };
    const result = await move();
    expect(result.status).toBe('failed');
    expect(result.failedAliases).toEqual(['www.dr-amal.com']);
    expect(result.explanation).toContain('www.dr-amal.com');
    expect(
      h.standin.state.requests.some((r) => r.path.endsWith('/rollback/aliases') && r.query.failedOnly === 'true'),
    ).toBe(true);
  });

  it(
    'reads failed aliases from rollback/aliases after a rollback, where Vercel names ' + 'them {alias, deploymentId}',
    async () => {
      h.standin.state.nextJob = { outcome: 'failed', pollsPerStep: 1, failedAliases: ['dr-amal.com'] };
      const result = await move();
      expect(result).toMatchObject({ status: 'failed', failedAliases: ['dr-amal.com'] });
      expect(h.standin.state.count('GET', '/rollback/aliases')).toBe(1);
      expect(h.standin.state.count('GET', '/promote/aliases')).toBe(0);
      const answer = h.standin.state.answers.find((a) => a.path.endsWith('/rollback/aliases'));
      expect(answer?.body).toMatchObject({
        aliases: [{ alias: { alias: 'dr-amal.com', deploymentId: history.v190.id }, status: 'failed' }],
      });
    },
  );

  it('reads failed aliases from promote/aliases after a promote, where Vercel names them as strings', async () => {
    h.standin.state.nextJob = { outcome: 'failed', pollsPerStep: 1, failedAliases: ['www.dr-amal.com'] };
    const result = await move(promoteService());
    expect(result).toMatchObject({ status: 'failed', failedAliases: ['www.dr-amal.com'] });
    expect(h.standin.state.count('GET', '/promote/aliases')).toBe(1);
  });

  it('sends {} as the rollback body and a description naming the incident, shown in the dashboard', async () => {
    await move();
    const request = h.standin.state.requests.find((r) => r.method === 'POST' && r.path.includes('/rollback/'));
    expect(request?.body).toBe('{}');
    expect(request?.query.description).toContain(incidentId);
    expect(h.standin.state.project.rollbackDescription?.description).toContain(incidentId);
  });

  it('reports a skipped job as skipped', async () => {
    h.standin.state.nextJob = { outcome: 'skipped', pollsPerStep: 1, failedAliases: [] };
    expect((await move()).status).toBe('skipped');
  });

  it('says "unknown", never failed or succeeded, when the deadline passes', async () => {
    h.standin.state.nextJob = { outcome: 'never', pollsPerStep: 1, failedAliases: [] };
    const started = h.clock.now().getTime();
    const result = await move();
    expect(result.status).toBe('unknown');
    expect(result.explanation).toContain('do not request it a second time');
    expect(h.clock.now().getTime() - started).toBeGreaterThanOrEqual(10_000);
    expect(h.clock.now().getTime() - started).toBeLessThan(12_000);
  });

  it('keeps polling through 5xx and dropped connections while waiting', async () => {
    h.standin.state.nextJob = { outcome: 'succeeded', pollsPerStep: 2, failedAliases: [] };
    // The first project read (before the request) goes through; the polls then meet the faults.
    h.standin.state.inject({ kind: 'status', status: 503, match: '/v9/projects', skip: 1 }, 5);
    h.standin.state.inject({ kind: 'drop', match: '/v9/projects', skip: 1 }, 1);
    expect((await move()).status).toBe('succeeded');
  });

  it('after a dropped POST, finds its request on the project instead of asking again', async () => {
    h.standin.state.inject({ kind: 'drop', match: '/rollback/' });
    // The drop happens before the stand-in handles the POST, so Vercel never saw it: the bot asks once more.
    expect((await move()).status).toBe('succeeded');
    expect(h.standin.state.count('POST', '/rollback/')).toBe(2);
    expect(h.standin.state.project.lastAliasRequest?.toDeploymentId).toBe(history.v190.id);
  });

  it('is idempotent: asked twice for the same incident and target, it moves production once', async () => {
    const first = await move();
    const second = await move();
    expect(first.status).toBe('succeeded');
    expect(second).toMatchObject({ status: 'succeeded', reusedRequest: true, requestedAt: first.requestedAt });
    expect(h.standin.state.count('POST', '/rollback/')).toBe(1);
  });

  it('asks again when an identical earlier request finished but production has moved away since', async () => {
    expect((await move()).status).toBe('succeeded');
    const redeployed = h.standin.state.addDeployment({ version: '2.0.1', commit: 'f'.repeat(40), live: true });
    expect(h.standin.state.production()?.id).toBe(redeployed.id);
    const again = await move();
    expect(again).toMatchObject({ status: 'succeeded', reusedRequest: false });
    expect(h.standin.state.count('POST', '/rollback/')).toBe(2);
    expect(h.standin.state.production()?.id).toBe(history.v190.id);
  });

  it('is idempotent across a restart mid-job: the second call waits on the first request', async () => {
    h.standin.state.nextJob = { outcome: 'never', pollsPerStep: 1, failedAliases: [] };
    const first = await move();
    expect(first.status).toBe('unknown');
    // The job finishes at Vercel while the bot is down; a fresh adapter asks again for the same incident.
    const request = h.standin.state.project.lastAliasRequest;
    if (request) request.jobStatus = 'in-progress';
    h.standin.state.nextJob = { outcome: 'succeeded', pollsPerStep: 1, failedAliases: [] };
    const restarted = await startHarnessAdapter(h);
    const second = await restarted.moveProduction({
      incidentId,
      service: h.service,
      targetId: history.v190.id as DeploymentId,
    });
    expect(h.standin.state.count('POST', '/rollback/')).toBe(1);
    expect(second.reusedRequest).toBe(true);
  });

  it('reconciles an earlier request without making a new one', async () => {
    const first = await move();
    const requestedAt = first.requestedAt ?? new Date();
    const again = await h.app.reconcile({
      incidentId,
      service: h.service,
      targetId: history.v190.id as DeploymentId,
      requestedAt,
    });
    expect(again.status).toBe('succeeded');
    const never = await h.app.reconcile({
      incidentId,
      service: h.service,
      targetId: history.v150.id as DeploymentId,
      requestedAt: h.clock.now(),
    });
    expect(never.status).toBe('not-requested');
    expect(never.explanation).toContain('safe to request the move again');
    expect(h.standin.state.count('POST', '/rollback/')).toBe(1);
  });
});

/** A second adapter on the same stand-in, as after a process restart. */
async function startHarnessAdapter(h: Harness) {
  const { VercelApplication } = await import('../../src/vercel/vercel-application');
  const { silentLogger } = await import('../../src/logger');
  return new VercelApplication({
    token: h.standin.token,
    apiUrl: h.standin.url,
    logger: silentLogger,
    clock: h.clock,
    sleep: (ms) => {
      h.clock.advance(ms);
      return Promise.resolve();
    },
    deploymentOrigin: h.standin.deploymentOrigin,
  });
}

/**
 * The Vercel stand-in held to Vercel's own contract: every answer it gives in
 * the scenarios the bot meets (each endpoint, each status) is checked against
 * @vercel/sdk's response models, generated from Vercel's OpenAPI document. A
 * field the models do not know is a field Vercel does not send, so the
 * adapter must not rely on it. The flag stand-ins (Edge Config, Vercel Flags): flags-standin-contract.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommitSha, DeploymentId, IncidentId } from '../../src/rollback/ids';
import { type Harness, type History, seedHistory, sha, startHarness } from './harness';
import { seen, violations } from './contract/sdk-answers';

const incidentId = 'inc_contract' as IncidentId;

describe('the Vercel stand-in answers as Vercel documents', () => {
  let h: Harness;
  let history: History;
  const promote = () => ({ ...h.service, vercel: { ...h.service.vercel, rollbackMethod: 'promote' as const } });

  beforeEach(async () => {
    h = await startHarness({ vercel: { deploysOnPush: true, buildDeadlineSeconds: 120 } });
    history = seedHistory(h);
  });
  afterEach(() => h.stop());

  it('the validator itself catches an invented field, a missing required one and an undocumented status', () => {
    const deployment = h.standin.state.answers.length; // nothing read yet
    expect(deployment).toBe(0);
    const problems = violations([
      { method: 'GET', path: '/v9/projects/p', status: 200, body: { id: 'p' } },
      { method: 'POST', path: '/v1/projects/p/rollback/d', status: 200, body: undefined },
      { method: 'POST', path: '/v1/projects/p/rollback/d', status: 201, body: { ok: true } },
      {
        method: 'GET',
        path: '/v1/projects/p/promote/aliases',
        status: 200,
        body: {
          aliases: [{ alias: 'a', id: 'x', status: 'failed', isRollbackCandidate: true }],
          pagination: { count: 1, next: null, prev: null },
        },
      },
    ]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^getProject 200: .*(accountId|name|Required)/),
        'requestRollback 200: status 200 is not one Vercel documents for requestRollback',
        'requestRollback 201: requestRollback answers 201 without a body, got one',
        expect.stringMatching(/^listPromoteAliases 200: aliases\[0\]\.isRollbackCandidate: not a field/),
      ]),
    );
  });

  it('every answer on reading production, choosing targets and moving production fits the SDK models', async () => {
    await h.app.describeProduction(h.service);
    await h.app.checkDeployIdentity(h.service);
    await h.app.resolveTarget(h.service);
    await h.app.resolveTarget(h.service, history.v150.id);
    await h.app.resolveTarget(h.service, '05e5fc2');
    await expect(h.app.resolveTarget(h.service, 'dpl_doesnotexist123')).rejects.toMatchObject({ code: 'not_found' });
    // A promote that fails on one domain, then a rollback that succeeds, a promote back, then a 409 for a running job.
    h.standin.state.nextJob = { outcome: 'failed', pollsPerStep: 1, failedAliases: ['www.dr-amal.com'] };
    expect(
      (await h.app.moveProduction({ incidentId, service: promote(), targetId: history.v190.id as DeploymentId }))
        .status,
    ).toBe('failed');
    h.standin.state.nextJob = { outcome: 'succeeded', pollsPerStep: 1, failedAliases: [] };
    expect(
      (await h.app.moveProduction({ incidentId, service: h.service, targetId: history.v190.id as DeploymentId }))
        .status,
    ).toBe('succeeded');
    expect(
      (await h.app.moveProduction({ incidentId, service: promote(), targetId: history.current.id as DeploymentId }))
        .status,
    ).toBe('succeeded');
    h.standin.state.project.lastAliasRequest = {
      type: 'promote',
      toDeploymentId: history.v150.id,
      fromDeploymentId: null,
      jobStatus: 'in-progress',
      requestedAt: 0,
    };
    await expect(
      h.app.moveProduction({ incidentId, service: h.service, targetId: history.v190.id as DeploymentId }),
    ).rejects.toMatchObject({ code: 'conflict' });

    const answers = h.standin.state.answers;
    expect([...seen(answers)]).toEqual(
      expect.arrayContaining([
        'getProject 200',
        'getDeployments 200',
        'getDeployment 200',
        'getDeployment 404',
        'requestRollback 201',
        'requestPromote 201',
        'requestRollback 409',
        'listPromoteAliases 200',
        'getTeamMembers 200',
      ]),
    );
    expect(violations(answers)).toEqual([]);
  });

  it('every answer while following a pushed build to its production domains fits the SDK models', async () => {
    const commit = sha('e4f5a6b') as CommitSha;
    h.standin.state.pushCommit(commit, { version: '2.0.1' });
    const result = await h.app.deployCommit({ service: h.service, commitSha: commit });
    expect(result).toMatchObject({ state: 'READY', live: true });
    const blocked = sha('b10c4ed') as CommitSha;
    h.standin.state.buildPlan = { outcome: 'BLOCKED', readsPerStep: 1, blockCode: 'COMMIT_AUTHOR_REQUIRED' };
    h.standin.state.pushCommit(blocked);
    expect((await h.app.deployCommit({ service: h.service, commitSha: blocked })).state).toBe('BLOCKED');
    expect(violations(h.standin.state.answers)).toEqual([]);
  });

  it(
    'every answer of an upload deployment (@vercel/client: files, create, ' + 'missing_files) fits the SDK models',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rollback-bot-contract-'));
      try {
        writeFileSync(join(dir, 'index.js'), 'module.exports = () => "ok";\n');
        const service = { ...h.service, vercel: { ...h.service.vercel, deploysOnPush: false } };
        const commit = sha('a11a11a') as CommitSha;
        expect(await h.app.deployCommit({ service, commitSha: commit, sourceDir: dir })).toMatchObject({ live: true });
        expect([...seen(h.standin.state.answers)]).toEqual(
          expect.arrayContaining(['createDeployment 400', 'uploadFile 200', 'createDeployment 200']),
        );
        expect(violations(h.standin.state.answers)).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it(
    'the Hobby plan refusal (402), a rolling release queue (202) and a rate limit ' + '(429) fit the SDK models',
    async () => {
      await h.stop();
      h = await startHarness({ standin: { plan: 'hobby' } });
      history = seedHistory(h);
      await expect(
        h.app.moveProduction({ incidentId, service: h.service, targetId: history.v150.id as DeploymentId }),
      ).rejects.toMatchObject({ code: 'forbidden' });
      h.standin.state.startRollingRelease(h.standin.state.addDeployment({ version: '2.1.0', servedProduction: false }));
      await h.app.resolveTarget(h.service);
      h.standin.state.inject({ kind: 'status', status: 429, match: '/v9/projects', retryAfter: '1' });
      // A deploy's promote waits for the release (a rollback would abort it by instant rollback).
      expect(
        (await h.app.promote({ incidentId, service: h.service, targetId: history.v190.id as DeploymentId })).status,
      ).toBe('succeeded');
      expect([...seen(h.standin.state.answers)]).toEqual(
        expect.arrayContaining([
          'requestRollback 402',
          'requestPromote 202',
          'getProject 429',
          'getRollingRelease 200',
        ]),
      );
      expect(violations(h.standin.state.answers)).toEqual([]);
    },
  );
});

/**
 * The Vercel stand-in held to Vercel's own contract: every answer it gives in
 * the scenarios the bot meets (each endpoint, each status) is checked against
 * @vercel/sdk's response models, generated from Vercel's OpenAPI document. A
 * field the models do not know is a field Vercel does not send, so the
 * adapter must not rely on it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommitSha, DeploymentId, IncidentId } from '../../src/rollback/ids';
import { type Harness, type History, PROJECT, TEAM, seedHistory, sha, startHarness } from './harness';
import { VercelFlags } from '../../src/flags/vercel-flags';
import { EdgeConfigFlags } from '../../src/flags/edge-config-flags';
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
      { method: 'GET', path: '/v1/projects/p/promote/aliases', status: 200, body: { aliases: [{ alias: 'a', id: 'x', status: 'failed', isRollbackCandidate: true }], pagination: { count: 1, next: null, prev: null } } },
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
    expect((await h.app.moveProduction({ incidentId, service: promote(), targetId: history.v190.id as DeploymentId })).status).toBe('failed');
    h.standin.state.nextJob = { outcome: 'succeeded', pollsPerStep: 1, failedAliases: [] };
    expect((await h.app.moveProduction({ incidentId, service: h.service, targetId: history.v190.id as DeploymentId })).status).toBe('succeeded');
    expect((await h.app.moveProduction({ incidentId, service: promote(), targetId: history.current.id as DeploymentId })).status).toBe('succeeded');
    h.standin.state.project.lastAliasRequest = { type: 'promote', toDeploymentId: history.v150.id, fromDeploymentId: null, jobStatus: 'in-progress', requestedAt: 0 };
    await expect(h.app.moveProduction({ incidentId, service: h.service, targetId: history.v190.id as DeploymentId })).rejects.toMatchObject({ code: 'conflict' });

    const answers = h.standin.state.answers;
    expect([...seen(answers)]).toEqual(
      expect.arrayContaining(['getProject 200', 'getDeployments 200', 'getDeployment 200', 'getDeployment 404', 'requestRollback 201', 'requestPromote 201', 'requestRollback 409', 'listPromoteAliases 200', 'getTeamMembers 200']),
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

  it('every answer of an upload deployment (@vercel/client: files, create, missing_files) fits the SDK models', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollback-bot-contract-'));
    try {
      writeFileSync(join(dir, 'index.js'), 'module.exports = () => "ok";\n');
      const service = { ...h.service, vercel: { ...h.service.vercel, deploysOnPush: false } };
      const commit = sha('a11a11a') as CommitSha;
      expect(await h.app.deployCommit({ service, commitSha: commit, sourceDir: dir })).toMatchObject({ live: true });
      expect([...seen(h.standin.state.answers)]).toEqual(expect.arrayContaining(['createDeployment 400', 'uploadFile 200', 'createDeployment 200']));
      expect(violations(h.standin.state.answers)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the Hobby plan refusal (402), a rolling release queue (202) and a rate limit (429) fit the SDK models', async () => {
    await h.stop();
    h = await startHarness({ standin: { plan: 'hobby' } });
    history = seedHistory(h);
    await expect(h.app.moveProduction({ incidentId, service: h.service, targetId: history.v150.id as DeploymentId })).rejects.toMatchObject({ code: 'forbidden' });
    h.standin.state.startRollingRelease(h.standin.state.addDeployment({ version: '2.1.0', servedProduction: false }));
    await h.app.resolveTarget(h.service);
    h.standin.state.inject({ kind: 'status', status: 429, match: '/v9/projects', retryAfter: '1' });
    expect((await h.app.moveProduction({ incidentId, service: promote(), targetId: history.v190.id as DeploymentId })).status).toBe('succeeded');
    expect([...seen(h.standin.state.answers)]).toEqual(expect.arrayContaining(['requestRollback 402', 'requestPromote 202', 'getProject 429', 'getRollingRelease 200']));
    expect(violations(h.standin.state.answers)).toEqual([]);
  });

});

describe('the Edge Config stand-in answers as Vercel documents', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.stop());
  const flag = () => {
    const found = h.service.flags[0];
    if (found?.provider !== 'edge-config') throw new Error('the example service has an Edge Config flag');
    return found;
  };
  const item = { key: 'k', value: true, edgeConfigId: 'ecfg_a', createdAt: 1, updatedAt: 1 };

  it('the validator catches a wrong type, an invented field, a non-array list and a wrong batch answer', () => {
    const problems = violations([
      { method: 'GET', path: '/v1/edge-config/ecfg_a/item/k', status: 200, body: { ...item, updatedAt: 'yesterday' } },
      { method: 'GET', path: '/v1/edge-config/ecfg_a/item/k', status: 200, body: { ...item, digest: 'x' } },
      { method: 'GET', path: '/v1/edge-config/ecfg_a/items', status: 200, body: item },
      { method: 'PATCH', path: '/v1/edge-config/ecfg_a/items', status: 200, body: { ok: true } },
      { method: 'PATCH', path: '/v1/edge-config/ecfg_a/items', status: 201, body: { status: 'ok' } },
    ]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^getEdgeConfigItem 200: updatedAt/),
        expect.stringMatching(/^getEdgeConfigItem 200: digest: not a field/),
        'getEdgeConfigItems 200: (root): expected an array',
        'patchEdgeConfigItems 200: status: Required string',
        'patchEdgeConfigItems 200: ok: not a field of the documented answer',
        'patchEdgeConfigItems 201: status 201 is not one Vercel documents for patchEdgeConfigItems',
      ]),
    );
  });

  it('every answer of turning a flag off and on, reading it, and its refusals fits the models', async () => {
    const { id, key } = flag().edgeConfig;
    h.standin.edgeConfig.create(id, { [key]: true, other: { nested: [1, 'two', null] } });
    const sleep = (ms: number) => {
      h.clock.advance(ms);
      return Promise.resolve();
    };
    const env = { VERCEL_TOKEN: h.standin.token, EDGE_CONFIG_READ_TOKEN: `ecfg-read-${id}` };
    const now = () => h.clock.now().getTime();
    const options = { apiUrl: h.standin.url, readUrl: h.standin.edgeConfigReadUrl, sleep, now };
    const flags = new EdgeConfigFlags({ ...options, env });
    await flags.set({ service: h.service, flag: flag(), state: 'off' });
    h.standin.state.inject({ kind: 'status', status: 429, match: '/v1/edge-config', retryAfter: '1' });
    await flags.set({ service: h.service, flag: flag(), state: 'on' });
    expect(await flags.read(h.service, flag())).toEqual({ state: 'on', value: true });
    const missing = { ...flag(), edgeConfig: { ...flag().edgeConfig, key: 'not-there' } };
    await expect(flags.read(h.service, missing)).rejects.toMatchObject({ code: 'not_found' });
    const otherTeam = { ...flag(), edgeConfig: { ...flag().edgeConfig, teamId: 'team_other' } };
    await expect(flags.read(h.service, otherTeam)).rejects.toMatchObject({ code: 'forbidden' });
    const unknown = { ...flag(), edgeConfig: { ...flag().edgeConfig, id: 'ecfg_unknown' } };
    const unknownSet = flags.set({ service: h.service, flag: unknown, state: 'off' });
    await expect(unknownSet).rejects.toMatchObject({ code: 'not_found' });
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${h.standin.url}${path}?teamId=${TEAM}`, {
        method,
        headers: { authorization: `Bearer ${h.standin.token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    await call('GET', `/v1/edge-config/${id}/items`);
    await call('GET', `/v1/global-config/${id}/items`);
    await call('PATCH', `/v1/edge-config/${id}/items`, { items: [{ operation: 'update', key: 'absent', value: 1 }] });
    await call('PATCH', `/v1/edge-config/${id}/items`, { items: [{ operation: 'rename', key }] });
    const answers = h.standin.state.answers;
    expect([...seen(answers)]).toEqual(
      expect.arrayContaining([
        'patchEdgeConfigItems 200',
        'patchEdgeConfigItems 429',
        'patchEdgeConfigItems 400',
        'patchEdgeConfigItems 404',
        'getEdgeConfigItem 200',
        'getEdgeConfigItem 404',
        'getEdgeConfigItem 403',
        'getEdgeConfigItems 200',
      ]),
    );
    expect(violations(answers)).toEqual([]);
  });
});

describe('the Vercel Flags stand-in answers as Vercel documents', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.stop());

  it('the validator catches a state Vercel does not have and an invented field of a flag', () => {
    const flag = h.standin.featureFlags.createBoolean('ai-notes');
    const path = `/v1/projects/${PROJECT}/feature-flags/flags/ai-notes`;
    const problems = violations([
      { method: 'GET', path, status: 200, body: { ...flag, state: 'paused' } },
      { method: 'PATCH', path, status: 200, body: { ...flag, killSwitch: true } },
    ]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^getFlag 200: state/),
        expect.stringMatching(/^updateFlag 200: .*killSwitch/),
      ]),
    );
  });

  it('every answer of pausing a flag, resuming it, and its refusals fits the models', async () => {
    h.standin.featureFlags.createBoolean('ai-notes');
    const flag = {
      name: 'ai-notes',
      description: 'AI notes',
      features: [],
      readBackSeconds: 5,
      provider: 'vercel-flags' as const,
      vercelFlags: { flag: 'ai-notes', tokenEnv: 'VERCEL_TOKEN', environment: 'production', offVariant: 'off' },
    };
    const flags = new VercelFlags({ env: { VERCEL_TOKEN: h.standin.token }, apiUrl: h.standin.url });
    expect(await flags.set({ service: h.service, flag, state: 'off' })).toMatchObject({
      value: { active: false, serves: false },
    });
    expect(h.standin.featureFlags.served('ai-notes', 'production')).toBe(false);
    expect(await flags.set({ service: h.service, flag, state: 'on' })).toMatchObject({ value: { active: true } });
    expect(h.standin.featureFlags.served('ai-notes', 'production')).toBe(true);
    const missing = { ...flag, vercelFlags: { ...flag.vercelFlags, flag: 'nope' } };
    await expect(flags.read(h.service, missing)).rejects.toMatchObject({
      code: 'not_found',
      fix: expect.stringMatching(/vercelFlags.flag \(nope\)/),
    });
    const otherTeam = { ...flag, vercelFlags: { ...flag.vercelFlags, teamId: 'team_other' } };
    await expect(flags.read(h.service, otherTeam)).rejects.toMatchObject({ code: 'forbidden' });
    const noVariant = { ...flag, vercelFlags: { ...flag.vercelFlags, offVariant: 'disabled' } };
    await expect(flags.set({ service: h.service, flag: noVariant, state: 'off' })).rejects.toMatchObject({
      code: 'config_invalid',
    });
    await fetch(`${h.standin.url}/v1/projects/${PROJECT}/feature-flags/flags/ai-notes?teamId=${TEAM}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${h.standin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ environments: { production: { active: false, rules: [] } } }),
    });
    const answers = h.standin.state.answers;
    expect([...seen(answers)]).toEqual(
      expect.arrayContaining(['getFlag 200', 'getFlag 404', 'getFlag 403', 'updateFlag 200', 'updateFlag 400']),
    );
    expect(violations(answers)).toEqual([]);
  });
});

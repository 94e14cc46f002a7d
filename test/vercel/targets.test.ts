import { type Harness, type History, seedHistory, sha, startHarness } from './harness';

describe('describing production and choosing the target', () => {
  let h: Harness;
  let history: History;

  beforeEach(async () => {
    h = await startHarness();
    history = seedHistory(h);
  });
  afterEach(() => h.stop());

  it('describes production: version, commit, when, by whom, the default target, not pinned', async () => {
    const status = await h.app.describeProduction(h.service);
    expect(status.current).toMatchObject({
      id: history.current.id,
      version: '2.0.0-beta',
      commitSha: sha('b90de38'),
      creator: 'yusuf',
      createdAt: new Date(history.current.createdAt),
    });
    expect(status.rollbackTarget).toMatchObject({ id: history.v190.id, version: '1.9.0', commitSha: sha('b7920c6') });
    expect(status.pinnedByRollback).toBe(false);
  });

  it(
    'defaults to the newest earlier production deployment that served production, ' +
      'skipping previews and unserved builds',
    async () => {
      h.standin.state.addDeployment({
        version: '1.9.5',
        servedProduction: false,
        createdAt: history.v190.createdAt + 10,
      });
      const resolved = await h.app.resolveTarget(h.service);
      expect(resolved.matchedBy).toBe('default');
      expect(resolved.target.id).toBe(history.v190.id);
      expect(resolved.alreadyLive).toBe(false);
      expect(resolved.fromCommit).toBe(sha('b90de38'));
      expect(resolved.toCommit).toBe(sha('b7920c6'));
    },
  );

  it('finds the default target beyond the first page', async () => {
    for (let i = 0; i < 25; i += 1) h.standin.state.addDeployment({ version: `3.0.${i}`, servedProduction: false });
    const newest = h.standin.state.addDeployment({ version: '3.1.0', live: true });
    expect(newest.id).toBe(h.standin.state.production()?.id);
    const resolved = await h.app.resolveTarget(h.service);
    expect(resolved.target.id).toBe(history.current.id);
  });

  it.each([
    ['deployment id', () => history.v150.id, 'deployment-id'],
    ['deployment URL', () => `https://${history.v150.url}`, 'deployment-url'],
    ['short git commit', () => '05e5fc2', 'commit'],
    ['app version', () => 'v1.5.0', 'version'],
  ])('resolves a target named by %s', async (_label, spec, matchedBy) => {
    const resolved = await h.app.resolveTarget(h.service, spec());
    expect(resolved.target.id).toBe(history.v150.id);
    expect(resolved.matchedBy).toBe(matchedBy);
    expect(resolved.target.version).toBe('1.5.0');
  });

  it('finds a full commit with the list endpoint sha filter, even older than the scanned window', async () => {
    for (let i = 0; i < 45; i += 1)
      h.standin.state.addDeployment({ version: `0.9.${i}`, createdAt: history.v150.createdAt - 100_000 + i });
    const old = h.standin.state.addDeployment({
      version: '0.1.0',
      commit: sha('01d01d0'),
      createdAt: history.v150.createdAt - 200_000,
    });
    const resolved = await h.app.resolveTarget(h.service, sha('01d01d0'));
    expect(resolved.target.id).toBe(old.id);
    const lists = h.standin.state.requests.filter((r) => r.path === '/v7/deployments' && r.query.sha !== undefined);
    expect(lists).toHaveLength(1);
    expect(lists[0]?.query.sha).toBe(sha('01d01d0'));
  });

  it('refuses a preview deployment with a clear message', async () => {
    for (const spec of [history.preview.id, 'c0ffee1', '2.1.0-rc']) {
      await expect(h.app.resolveTarget(h.service, spec)).rejects.toMatchObject({
        code: 'bad_input',
        message: expect.stringContaining('is a preview deployment'),
        fix: expect.stringContaining('production deployment'),
      });
    }
  });

  it('refuses unknown targets with not_found', async () => {
    await expect(h.app.resolveTarget(h.service, 'dpl_doesnotexist123')).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.app.resolveTarget(h.service, 'deadbee')).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.app.resolveTarget(h.service, '9.9.9')).rejects.toMatchObject({
      code: 'not_found',
      fix: expect.stringContaining('/rollback status'),
    });
  });

  it('refuses text that names nothing', async () => {
    await expect(h.app.resolveTarget(h.service, '--force; rm -rf /')).rejects.toMatchObject({ code: 'bad_input' });
  });

  it('says when the named target is already live', async () => {
    const resolved = await h.app.resolveTarget(h.service, '2.0.0-beta');
    expect(resolved.alreadyLive).toBe(true);
  });

  it('refuses a build that never served production for an instant rollback, but allows it for promote', async () => {
    const staged = h.standin.state.addDeployment({ version: '2.0.1', servedProduction: false });
    await expect(h.app.resolveTarget(h.service, staged.id)).rejects.toMatchObject({
      code: 'bad_input',
      message: expect.stringContaining('never served production'),
    });
    const promote = { ...h.service, vercel: { ...h.service.vercel, rollbackMethod: 'promote' as const } };
    await expect(h.app.resolveTarget(promote, staged.id)).resolves.toMatchObject({ target: { id: staged.id } });
  });

  it('says production is pinned after an instant rollback', async () => {
    h.standin.state.project.autoAssignCustomDomains = false;
    const status = await h.app.describeProduction(h.service);
    expect(status.pinnedByRollback).toBe(true);
  });
});

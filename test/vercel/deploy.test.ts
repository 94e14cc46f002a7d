import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommitSha } from '../../src/rollback/ids';
import type { DeployProgress } from '../../src/rollback/ports/application';
import { type Harness, seedHistory, sha, startHarness } from './harness';

const commit = sha('e4f5a6b') as CommitSha;

describe('deployCommit: the new deployment after a git revert', () => {
  let h: Harness;
  let dir: string;

  afterEach(async () => {
    await h.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('git integration (deploys on push)', () => {
    beforeEach(async () => {
      h = await startHarness({ vercel: { deploysOnPush: true, buildDeadlineSeconds: 60 } });
      seedHistory(h);
    });

    it('says "timeout" when no build of the commit appears before the build deadline', async () => {
      const result = await h.app.deployCommit({ service: h.service, commitSha: commit });
      expect(result).toMatchObject({
        method: 'git-integration',
        state: 'timeout',
        live: false,
        deploymentId: undefined,
      });
      expect(result.explanation).toContain('git integration');
    });

    it('waits for the build of the pushed commit and reports it live', async () => {
      const progress: DeployProgress[] = [];
      let pushed = false;
      const origin = h.standin.state;
      const watch = h.app.deployCommit({
        service: h.service,
        commitSha: commit,
        onProgress: (p) => {
          progress.push(p);
          if (p.phase === 'waiting-for-build' && !pushed) {
            pushed = true;
            origin.pushCommit(commit, { version: '2.0.1' });
          }
        },
      });
      const done = await watch;
      expect(done).toMatchObject({ method: 'git-integration', state: 'READY', live: true, commitSha: commit });
      expect(progress.filter((p) => p.phase === 'state').map((p) => (p as { state: string }).state)).toEqual(
        expect.arrayContaining(['BUILDING', 'READY']),
      );
      expect(origin.production()?.app.version).toBe('2.0.1');
    });

    it('reports a failed build and leaves production alone', async () => {
      h.standin.state.buildPlan = { outcome: 'ERROR', readsPerStep: 1 };
      const before = h.standin.state.production()?.id;
      h.standin.state.pushCommit(commit);
      const result = await h.app.deployCommit({ service: h.service, commitSha: commit });
      expect(result.state).toBe('ERROR');
      expect(result.live).toBe(false);
      expect(h.standin.state.production()?.id).toBe(before);
    });

    it(
      'promotes the fix when production is pinned by an instant rollback, instead of ' + 'ending "READY but not live"',
      async () => {
        h.standin.state.project.autoAssignCustomDomains = false;
        const pushed = h.standin.state.pushCommit(commit);
        const result = await h.app.deployCommit({ service: h.service, commitSha: commit });
        expect(result).toMatchObject({ state: 'READY', live: true, deploymentId: pushed.id });
        expect(result.explanation).toContain('pinned by an earlier instant rollback');
        expect(result.explanation).toContain('the bot promoted it');
        expect(h.standin.state.count('POST', `/promote/${pushed.id}`)).toBe(1);
        expect(h.standin.state.production()?.id).toBe(pushed.id);
        expect(h.standin.state.project.autoAssignCustomDomains).toBe(true);
      },
    );

    it('says why not when the promote of a pinned fix fails', async () => {
      h.standin.state.project.autoAssignCustomDomains = false;
      h.standin.state.nextJob = { outcome: 'failed', pollsPerStep: 1, failedAliases: ['dr-amal.com'] };
      h.standin.state.pushCommit(commit);
      const result = await h.app.deployCommit({ service: h.service, commitSha: commit });
      expect(result).toMatchObject({ state: 'READY', live: false });
      expect(result.explanation).toContain('asked Vercel to promote it');
      expect(result.explanation).toContain('dr-amal.com');
    });
  });

  describe('upload with @vercel/client (does not deploy on push)', () => {
    beforeEach(async () => {
      h = await startHarness({ vercel: { deploysOnPush: false, buildDeadlineSeconds: 60 } });
      seedHistory(h);
      dir = mkdtempSync(join(tmpdir(), 'rollback-bot-deploy-'));
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.9.1' }));
      writeFileSync(join(dir, 'index.js'), 'module.exports = () => "ok";\n');
    });

    it('uploads the tree, creates a production deployment and follows the build to READY', async () => {
      const progress: DeployProgress[] = [];
      const result = await h.app.deployCommit({
        service: h.service,
        commitSha: commit,
        sourceDir: dir,
        onProgress: (p) => progress.push(p),
      });
      expect(result).toMatchObject({ method: 'upload', state: 'READY', live: true, commitSha: commit });
      expect(h.standin.state.count('POST', '/v2/files')).toBe(2);
      expect(h.standin.state.count('POST', '/v13/deployments')).toBe(2);
      expect(
        h.standin.state.requests
          .filter((r) => r.path.startsWith('/v2/files'))
          .every((r) => r.query.teamId === 'team_dramal'),
      ).toBe(true);
      expect(progress.map((p) => p.phase)).toEqual(
        expect.arrayContaining(['uploading', 'uploaded', 'created', 'state']),
      );
      expect(h.standin.state.production()?.meta.gitCommitSha).toBe(commit);
    });

    it('refuses to deploy without the reverted tree', async () => {
      await expect(h.app.deployCommit({ service: h.service, commitSha: commit })).rejects.toMatchObject({
        code: 'bad_input',
        fix: expect.stringContaining('sourceDir'),
      });
    });

    it('turns a refused upload into a typed error', async () => {
      await h.stop();
      h = await startHarness({ vercel: { deploysOnPush: false }, app: { token: 'not-the-token' } });
      await expect(h.app.deployCommit({ service: h.service, commitSha: commit, sourceDir: dir })).rejects.toMatchObject(
        { code: 'forbidden' },
      );
    });
  });
});

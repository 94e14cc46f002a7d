/**
 * Preflight: Vercel blocks a pushed commit whose author is not a member of
 * the team (BLOCKED, TEAM_ACCESS_REQUIRED), so the checklist looks the bot's
 * committer up among the team's members before an incident needs a revert.
 */
import { runPreflight } from '../../src/rollback/preflight/run-preflight';
import type { PreflightDeps } from '../../src/rollback/preflight/ports';
import { type Harness, seedHistory, startHarness } from './harness';

describe("preflight: the bot's committer can deploy on Vercel", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ vercel: { deploysOnPush: true } });
    seedHistory(h);
  });
  afterEach(() => h.stop());

  const withCommitter = (email: string) => ({
    ...h.service,
    git: { ...h.service.git, committer: { name: 'rollback-bot', email } },
  });

  it('passes when a team member has the committer email', async () => {
    await expect(h.app.checkDeployIdentity(withCommitter('rollback-bot@dr-amal.com'))).resolves.toMatchObject({
      status: 'pass',
    });
    expect(
      h.standin.state.requests.some(
        (r) => r.path === '/v3/teams/team_dramal/members' && r.query.search === 'rollback-bot@dr-amal.com',
      ),
    ).toBe(true);
  });

  it('fails with the fix when no member has it, in the checklist too', async () => {
    const service = withCommitter('rollback-bot@users.noreply.local');
    await expect(h.app.checkDeployIdentity(service)).resolves.toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('TEAM_ACCESS_REQUIRED'),
      fix: expect.stringContaining('git.committer.email'),
    });
    const deps = {
      application: h.app,
      clock: h.clock,
      code: { branchHead: () => Promise.reject(new Error('no clone')) },
    } as unknown as PreflightDeps;
    const report = await runPreflight(deps, { service, candidate: 'a'.repeat(40) });
    const check = report.checks.find((c) => c.id === 'deploy-identity');
    expect(check).toMatchObject({ status: 'fail', fix: expect.stringContaining('upload path') });
    expect(report.passed).toBe(false);
  });

  it(
    'passes without asking when the service deploys through the upload path, and ' + 'skips for a personal account',
    async () => {
      const upload = { ...h.service, vercel: { ...h.service.vercel, deploysOnPush: false } };
      await expect(h.app.checkDeployIdentity(upload)).resolves.toMatchObject({ status: 'pass' });
      const personal = { ...h.service, vercel: { ...h.service.vercel, teamId: undefined } };
      await expect(h.app.checkDeployIdentity(personal)).resolves.toMatchObject({
        status: 'skip',
        fix: expect.stringContaining('git.committer.email'),
      });
      expect(h.standin.state.requests.filter((r) => r.path.includes('/members'))).toHaveLength(0);
    },
  );
});

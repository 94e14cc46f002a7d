/**
 * `rollback-bot drill --github-protected`: the drill's revert step on a
 * deploy branch protected the way GitHub does it. The bot's revert goes
 * through a pull request, the drill plays CI passing, auto-merge merges it
 * into the scratch origin, Vercel builds the merge, and the whole drill
 * (all six steps, the release aborted on its canary included) still exits 0. The flag is refused with --service.
 */
import { parseDrillArgs } from '../../src/cli/drill';
import { runDrillProcess } from '../drill/drill-process';

describe('drill, GitHub-protected variant', () => {
  it('parses --github-protected and refuses it with --service', () => {
    expect(parseDrillArgs(['--github-protected'])).toMatchObject({ githubProtected: true, breaks: new Set() });
    expect(parseDrillArgs([])).toMatchObject({ githubProtected: false });
    expect(parseDrillArgs(['--github-protected', '--service', 'x'])).toMatch(/cannot be combined with --service/);
  });

  it('reverts through a pull request that auto-merges when CI passes, and the drill passes', async () => {
    const url = process.env.TEST_DATABASE_URL;
    if (!url) throw new Error('TEST_DATABASE_URL is not set');
    const run = await runDrillProcess(['--github-protected'], { DATABASE_URL: url }, 230_000);
    const out = run.stdout;
    if (run.code !== 0) throw new Error(`drill exited ${run.code}:\n${out.slice(-6000)}\n${run.stderr}`);
    expect(out).toMatch(
      new RegExp(
        /main is protected: the bot opened pull request #1 /.source +
          /"Revert [0-9a-f]{7} "feat\(ai\): Add AI features" \(INC-\S+\)" from rollback\/INC-\S+, auto-merge on/.source,
      ),
    );
    expect(out).toMatch(/CI: check "test" passed on [0-9a-f]{7}/);
    expect(out).toMatch(/pull request #1 merged by auto-merge into main as [0-9a-f]{7}/);
    expect(out).toMatch(/\[3\/6\] PASSED/);
    // The release step too: the candidate's CI reported on GitHub, the abort's rollback back to the base.
    expect(out).toMatch(/CI: checks "test" and "typecheck" passed on [0-9a-f]{7}/);
    expect(out).toMatch(/PASS {2}ROLLBACK COMPLETE posted/);
    expect(out).toMatch(/\[6\/6\] PASSED/);
    expect(out).toContain('Drill PASSED');
  }, 240_000);
});

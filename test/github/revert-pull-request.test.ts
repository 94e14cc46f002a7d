/**
 * /rollback revert on a GitHub-protected deploy branch (git.via:
 * pull-request), end to end: the bot's revert commit goes onto
 * rollback/<incident>, a pull request to main names the reverted commit and
 * tells the incident, and per git.merge it is auto-merged when CI passes,
 * merged at once, or merged by a person; the merge really lands in the bare
 * origin, Vercel builds it, production is verified, ROLLBACK COMPLETE. A pull
 * request closed unmerged fails the step with that reason.
 */
import { SERVICE, type World } from '../support/incident-world';
import { waitFor } from '../support/wait';
import { buildWhenMainMoves, useGitHubWorld } from './support';

async function askRevert(world: World): Promise<void> {
  const bad = world.history.badCommit;
  const answer = (
    await world.bot.sender.slashCommand({
      text: `revert ${SERVICE} ${bad.slice(0, 7)} AI notes corrupt records`,
      userId: 'U0DEVOPS1',
    })
  ).json() as { text: string };
  expect(answer.text).toMatch(/git revert \(Option A\) of dr-amal-clinical-os started as INC-/);
}

async function stepStates(world: World): Promise<[string, string][]> {
  const [incident] = await world.bot.bot.engine.deps.store.listIncidents({ limit: 1 });
  return (await world.bot.bot.engine.deps.store.steps(incident?.id ?? '')).map((s) => [s.kind, s.state]);
}

describe('revert through a pull request, auto-merge when checks pass', () => {
  const ctx = useGitHubWorld('gh_revert_auto', { merge: 'auto', protection: { requiredChecks: ['test'] } });

  it('opens the pull request, enables auto-merge, merges when CI passes, deploys, verifies, COMPLETE', async () => {
    const { world, repo } = ctx.current;
    const before = world.git.originHead();
    await askRevert(world);
    const pull = await waitFor('the revert pull request', async () => repo.pulls[0]);
    const [incident] = await world.bot.bot.engine.deps.store.listIncidents({ limit: 1 });
    expect(pull.head).toBe(`rollback/${incident?.id}`);
    expect(pull.base).toBe('main');
    expect(pull.title).toContain(world.history.badCommit.slice(0, 7));
    expect(pull.title).toContain(String(incident?.id));
    expect(pull.body).toContain('AI notes corrupt records');
    expect(pull.body).toContain('U0DEVOPS1');
    expect(pull.body).toMatch(/### Timeline so far\n- /);
    expect(pull.body).toMatch(/Rollback-Incident: INC-/);
    await waitFor('auto-merge to be on', async () => pull.autoMerge !== null, 10_000).catch((error: unknown) => {
      const calls = ctx.current.github.calls.map((c) => [
        c.method,
        c.path,
        c.status,
        c.status >= 300 || c.path === '/graphql' ? c.body : '',
      ]);
      throw new Error(`${String(error)}: ${JSON.stringify(calls)}`);
    });
    // Nothing merged while the required check is missing: main is untouched.
    expect(world.git.originHead()).toBe(before);
    await world.waitForPost(`pull request #${pull.number}`);

    repo.reportCheck(pull.headSha, 'test', 'success', { title: '48 passed, 0 failed' });
    const merged = await buildWhenMainMoves(world, before, '2.0.1');
    await world.waitForPost('ROLLBACK COMPLETE', 30_000);
    expect(world.git.git(world.git.origin, 'rev-list', '--parents', '-n', '1', merged).trim().split(' ')).toEqual([
      merged,
      before,
      pull.headSha,
    ]);
    expect(world.git.git(world.git.origin, 'show', `${merged}:app.txt`)).toBe('v1.9.0\n');
    expect(await stepStates(world)).toEqual([
      ['code_revert', 'succeeded'],
      ['deploy', 'succeeded'],
      ['verification', 'succeeded'],
    ]);
    expect(world.postsWith('merged; checks 1/1 passed').length).toBeGreaterThan(0);
  }, 60_000);
});

describe('revert through a pull request, merged at once', () => {
  const ctx = useGitHubWorld('gh_revert_now', { merge: 'immediate' });

  it('merges the pull request as soon as it is open and carries on to COMPLETE', async () => {
    const { world, repo } = ctx.current;
    const before = world.git.originHead();
    await askRevert(world);
    const merged = await buildWhenMainMoves(world, before, '2.0.1');
    await world.waitForPost('ROLLBACK COMPLETE', 30_000);
    expect(repo.pulls).toHaveLength(1);
    expect(repo.pulls[0]).toMatchObject({ merged: true, mergeSha: merged, autoMerge: null });
  });

  it('a direct push to the protected branch is still refused', () => {
    const { world } = ctx.current;
    const clone = world.git.cloneAs('direct');
    world.git.commit({ 'other.txt': 'x\n' }, 'direct', clone);
    expect(() => world.git.push(clone)).toThrow(/GH006: Protected branch update failed/);
  });
});

describe('revert through a pull request, merged by a person', () => {
  const ctx = useGitHubWorld('gh_revert_manual', { merge: 'manual', protection: { requiredApprovals: 1 } });

  it('waits for review and merge, shows both in the thread, then continues', async () => {
    const { world, repo } = ctx.current;
    const before = world.git.originHead();
    await askRevert(world);
    const pull = await waitFor('the revert pull request', async () => repo.pulls[0]);
    await world.waitForPost('waiting for a person to review and merge it');
    expect(pull.autoMerge).toBeNull();
    repo.review(pull.number, 'alice', 'APPROVED');
    await world.waitForPost('; approved; waiting for a person');
    expect(repo.mergePull(pull, 'merge', 'alice')).toHaveProperty('sha');
    await buildWhenMainMoves(world, before, '2.0.1');
    await world.waitForPost('ROLLBACK COMPLETE', 30_000);
  });
});

describe('revert pull request closed without merging', () => {
  const ctx = useGitHubWorld('gh_revert_closed', { merge: 'manual' });

  it('fails the step with the reason and leaves main as it was', async () => {
    const { world, repo } = ctx.current;
    const before = world.git.originHead();
    await askRevert(world);
    const pull = await waitFor('the revert pull request', async () => repo.pulls[0]);
    await world.waitForPost(`pull request #${pull.number}`);
    repo.closePull(pull.number);
    await world.waitForPost('was closed without being merged', 20_000);
    await waitFor('the step to fail', async () => (await stepStates(world))[0]?.[1] === 'failed');
    expect(world.git.originHead()).toBe(before);
    const [incident] = await world.bot.bot.engine.deps.store.listIncidents({ limit: 1 });
    const [step] = await world.bot.bot.engine.deps.store.steps(incident?.id ?? '');
    expect(step?.error?.message).toMatch(/closed without being merged/);
    expect(step?.error?.fix).toMatch(/reopen and merge it/);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RollbackError } from '../../src/rollback/errors';
import type { CommitSha, IncidentId } from '../../src/rollback/ids';
import { ASKER, INCIDENT, SERVICE, adapterFor, createSandbox, serviceFor, type Sandbox } from './support/git-fixture';

describe('git Option A: revert', () => {
  let sb: Sandbox;
  let c1: CommitSha;
  let c2: CommitSha;
  let c3: CommitSha;

  beforeEach(() => {
    sb = createSandbox();
    c1 = sb.commit({ 'app.ts': 'line 1\nversion 1\nline 3\n', 'README.md': 'readme\n' }, 'chore: initial');
    c2 = sb.commit({ 'phase2.ts': 'export const phase = 2;\n' }, 'feat: Complete Phase 2 frontend');
    c3 = sb.commit({ 'app.ts': 'line 1\nversion 2 with AI\nline 3\n' }, 'feat(ai): Add AI features');
    sb.push();
  });
  afterEach(() => sb.cleanup());

  const originFile = (path: string): string => sb.git(sb.origin, 'show', `refs/heads/main:${path}`);
  const originLog = (): string[] => sb.git(sb.origin, 'log', '--format=%H', 'refs/heads/main').trim().split('\n');

  it(
    'reverts one commit on a linear history, commits as the configured bot with ' +
      'incident and requester, and pushes',
    async () => {
      const adapter = adapterFor(sb, [serviceFor(sb.origin)]);
      const result = await adapter.revert({
        service: SERVICE,
        incidentId: INCIDENT,
        requestedBy: ASKER,
        target: { commit: c3.slice(0, 7) },
      });

      expect(result.status).toBe('done');
      expect(result.reverted).toEqual([c3]);
      expect(result.previousHead).toBe(c3);
      expect(sb.originHead()).toBe(result.commit);
      expect(result.head).toBe(result.commit);
      expect(sb.git(sb.origin, 'rev-parse', `${result.commit}^`).trim()).toBe(c3);
      expect(originFile('app.ts')).toBe('line 1\nversion 1\nline 3\n');
      expect(originFile('phase2.ts')).toBe('export const phase = 2;\n');

      const message = sb.git(sb.origin, 'log', '-1', '--format=%B', result.commit);
      expect(message).toMatch(/^Revert "feat\(ai\): Add AI features"/);
      expect(message).toContain(`This reverts commit ${c3}`);
      expect(message).toContain(`incident ${INCIDENT}, requested by ${ASKER}`);
      expect(message).toContain(`Rollback-Incident: ${INCIDENT}`);
      expect(message).toContain(`Rollback-Reverts: ${c3}`);
      expect(sb.git(sb.origin, 'log', '-1', '--format=%cn <%ce>|%an', result.commit).trim()).toBe(
        'Rollback Bot <rollback-bot@example.com>|Rollback Bot',
      );

      expect(readFileSync(join(result.workTree, 'app.ts'), 'utf8')).toBe('line 1\nversion 1\nline 3\n');
      expect(sb.git(result.workTree, 'rev-parse', 'HEAD').trim()).toBe(result.commit);
    },
  );

  it('reverts a merge commit against its first parent, undoing what the merge brought in', async () => {
    sb.git(sb.dev, 'checkout', '-q', '-b', 'feature', c2);
    sb.commit({ 'feature.ts': 'one\n' }, 'feat: feature part 1');
    sb.commit({ 'feature.ts': 'one\ntwo\n' }, 'feat: feature part 2');
    sb.git(sb.dev, 'checkout', '-q', 'main');
    sb.git(sb.dev, 'merge', '-q', '--no-ff', '-m', 'Merge feature', 'feature');
    const merge = sb.git(sb.dev, 'rev-parse', 'HEAD').trim() as CommitSha;
    const after = sb.commit({ 'later.ts': 'later\n' }, 'chore: later work');
    sb.push();

    const result = await adapterFor(sb, [serviceFor(sb.origin)]).revert({
      service: SERVICE,
      incidentId: INCIDENT,
      requestedBy: ASKER,
      target: { commit: merge },
    });

    expect(result.reverted).toEqual([merge]);
    expect(sb.git(sb.origin, 'rev-parse', `${result.commit}^`).trim()).toBe(after);
    const tree = sb.git(sb.origin, 'ls-tree', '--name-only', 'refs/heads/main').split('\n');
    expect(tree).not.toContain('feature.ts');
    expect(tree).toEqual(expect.arrayContaining(['app.ts', 'phase2.ts', 'later.ts']));
    expect(originFile('app.ts')).toContain('version 2 with AI');
    expect(sb.git(sb.origin, 'log', '-1', '--format=%B', result.commit)).toContain(`reverts merge commit ${merge}`);
  });

  it(
    'reverts a range in one commit, walking the first-parent line so merged commits ' + 'are not reverted twice',
    async () => {
      sb.git(sb.dev, 'checkout', '-q', '-b', 'feature');
      sb.commit({ 'feature.ts': 'feature\n' }, 'feat: side work');
      sb.git(sb.dev, 'checkout', '-q', 'main');
      sb.git(sb.dev, 'merge', '-q', '--no-ff', '-m', 'Merge side work', 'feature');
      const merge = sb.git(sb.dev, 'rev-parse', 'HEAD').trim() as CommitSha;
      const c5 = sb.commit({ 'c5.ts': 'five\n' }, 'feat: five');
      sb.push();
      const before = originLog().length;

      const result = await adapterFor(sb, [serviceFor(sb.origin)]).revert({
        service: SERVICE,
        incidentId: INCIDENT,
        requestedBy: ASKER,
        target: { oldest: c2, newest: c5 },
      });

      expect(result.reverted).toEqual([c5, merge, c3, c2]);
      expect(originLog()).toHaveLength(before + 1);
      expect(sb.git(sb.origin, 'diff', '--stat', c1, 'refs/heads/main').trim()).toBe('');
      const message = sb.git(sb.origin, 'log', '-1', '--format=%B', 'refs/heads/main');
      expect(message).toMatch(/^Revert 4 commits/);
      for (const sha of [c5, merge, c3, c2]) expect(message).toContain(`Rollback-Reverts: ${sha}`);
    },
  );

  it('aborts on a conflict, names the conflicting files and leaves the remote untouched', async () => {
    sb.commit({ 'app.ts': 'line 1\nversion 3 hotfix\nline 3\n' }, 'fix: hotfix on top of AI');
    sb.push();
    const head = sb.originHead();
    const adapter = adapterFor(sb, [serviceFor(sb.origin)]);

    const error = (await adapter
      .revert({ service: SERVICE, incidentId: INCIDENT, requestedBy: ASKER, target: { commit: c3 } })
      .catch((e: unknown) => e)) as RollbackError;
    expect(error.code).toBe('conflict');
    expect(error.details.reason).toBe('merge_conflict');
    expect(error.details.files).toEqual(['app.ts']);
    expect(error.message).toContain('app.ts');
    expect(error.message).toContain('nothing was pushed');
    expect(error.fix).toMatch(/pull request/);
    expect(sb.originHead()).toBe(head);

    // The clone is usable again: a revert that does not conflict goes through.
    const next = await adapter.revert({
      service: SERVICE,
      incidentId: INCIDENT,
      requestedBy: ASKER,
      target: { commit: c2 },
    });
    expect(next.status).toBe('done');
    expect(sb.git(next.workTree, 'status', '--porcelain').trim()).toBe('');
  });

  it(
    'is idempotent: the same incident and commit a second time reverts nothing and ' + 'returns the first revert',
    async () => {
      const adapter = adapterFor(sb, [serviceFor(sb.origin)]);
      const first = await adapter.revert({
        service: SERVICE,
        incidentId: INCIDENT,
        requestedBy: ASKER,
        target: { commit: c3 },
      });
      sb.commit({ 'unrelated.ts': 'x\n' }, 'chore: unrelated');
      sb.git(sb.dev, 'pull', '-q', '--rebase', 'origin', 'main');
      sb.push();
      const head = sb.originHead();

      const second = await adapterFor(sb, [serviceFor(sb.origin)]).revert({
        service: SERVICE,
        incidentId: INCIDENT,
        requestedBy: ASKER,
        target: { commit: c3 },
      });
      expect(second.status).toBe('already-done');
      expect(second.commit).toBe(first.commit);
      expect(second.head).toBe(head);
      expect(sb.originHead()).toBe(head);

      // Another incident asking for the same commit is not mistaken for ours (its revert would be empty).
      const other = await adapter
        .revert({ service: SERVICE, incidentId: 'inc-10' as IncidentId, requestedBy: ASKER, target: { commit: c3 } })
        .catch((e: unknown) => e);
      expect((other as RollbackError).details.reason).toBe('nothing_to_revert');
      expect(sb.originHead()).toBe(head);
    },
  );

  it.each([
    ['non-hex', 'zz12345'],
    ['too short', 'abc12'],
    ['option-looking', '--help'],
    ['option with value', '--exec=touch /tmp/pwned'],
    ['too long', 'a'.repeat(41)],
  ])('refuses a %s commit id with bad_input before git sees it', async (_label, raw) => {
    const adapter = adapterFor(sb, [serviceFor(sb.origin)]);
    const error = (await adapter
      .revert({ service: SERVICE, incidentId: INCIDENT, requestedBy: ASKER, target: { commit: raw } })
      .catch((e: unknown) => e)) as RollbackError;
    expect(error.code).toBe('bad_input');
    expect(error.message).toContain('not a valid commit id');
    expect(error.fix).toContain('7 to 40');
    expect(sb.originHead()).toBe(c3);
  });

  it('refuses a commit that is no longer an ancestor of the branch head, and one that does not exist', async () => {
    const adapter = adapterFor(sb, [serviceFor(sb.origin)]);
    await adapter.branchHead(SERVICE); // the clone now holds c3
    sb.git(sb.dev, 'reset', '-q', '--hard', c2);
    sb.git(sb.dev, 'push', '-q', '--force', 'origin', 'HEAD:refs/heads/main');

    const gone = (await adapter
      .revert({ service: SERVICE, incidentId: INCIDENT, requestedBy: ASKER, target: { commit: c3 } })
      .catch((e: unknown) => e)) as RollbackError;
    expect(gone.code).toBe('bad_input');
    expect(gone.message).toBe(`Commit ${c3} is not on main of clinical-os.`);

    const missing = (await adapter
      .revert({ service: SERVICE, incidentId: INCIDENT, requestedBy: ASKER, target: { commit: 'deadbeef1' } })
      .catch((e: unknown) => e)) as RollbackError;
    expect(missing.code).toBe('bad_input');
    expect(missing.message).toContain('No commit deadbeef1');

    const backwards = (await adapter
      .revert({ service: SERVICE, incidentId: INCIDENT, requestedBy: ASKER, target: { oldest: c2, newest: c1 } })
      .catch((e: unknown) => e)) as RollbackError;
    expect(backwards.code).toBe('bad_input');
    expect(sb.originHead()).toBe(c2);
  });
});

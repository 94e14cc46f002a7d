import { join } from 'node:path';
import type { RollbackError } from '../../src/rollback/errors';
import type { CommitSha } from '../../src/rollback/ids';
import {
  ASKER,
  INCIDENT,
  SERVICE,
  adapterFor,
  captureLogs,
  createSandbox,
  serviceFor,
  type Sandbox,
} from './support/git-fixture';

describe('git push failures: races, protected branch, unreachable remote', () => {
  let sb: Sandbox;
  let c2: CommitSha;

  beforeEach(() => {
    sb = createSandbox();
    sb.commit({ 'app.ts': 'v1\n' }, 'chore: initial');
    c2 = sb.commit({ 'ai.ts': 'ai\n' }, 'feat(ai): Add AI features');
    sb.push();
  });
  afterEach(() => sb.cleanup());

  /** Another developer pushes between the bot's fetch and its push, `times` times. */
  function raceOnPush(times: number): string {
    const other = sb.cloneAs('other');
    const counter = join(sb.root, 'races');
    sb.installHook(
      join(sb.workspace, 'clinical-os', '.git'),
      'pre-push',
      [
        'unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE',
        `n=$(cat '${counter}' 2>/dev/null || echo 0)`,
        `if [ "$n" -lt ${times} ]; then`,
        `  echo $((n+1)) > '${counter}'`,
        `  echo "race $n" > '${other}/race-'$n.txt`,
        `  git -C '${other}' add -A && git -C '${other}' -c user.name=Other -c ` +
          `user.email=o@example.com commit -q -m "race $n" && git -C '${other}' push -q ` +
          `origin HEAD:refs/heads/main`,
        'fi',
      ].join('\n'),
    );
    return other;
  }

  it('redoes the revert once on the new head when another push wins the race, then succeeds', async () => {
    const adapter = adapterFor(sb, [serviceFor(sb.origin)]);
    await adapter.branchHead(SERVICE);
    const other = raceOnPush(1);

    const result = await adapter.revert({
      service: SERVICE,
      incidentId: INCIDENT,
      requestedBy: ASKER,
      target: { commit: c2 },
    });

    const raced = sb.git(other, 'rev-parse', 'HEAD').trim();
    expect(result.redoneAfterRace).toBe(true);
    expect(result.previousHead).toBe(raced);
    expect(sb.originHead()).toBe(result.commit);
    expect(sb.git(sb.origin, 'rev-parse', `${result.commit}^`).trim()).toBe(raced);
    expect(sb.git(sb.origin, 'ls-tree', '--name-only', 'refs/heads/main').split('\n')).toEqual(
      expect.arrayContaining(['app.ts', 'race-0.txt']),
    );
    expect(sb.git(sb.origin, 'ls-tree', '--name-only', 'refs/heads/main')).not.toContain('ai.ts');
  });

  it('reports a second lost race as a retryable non-fast-forward error, without changing the remote', async () => {
    const adapter = adapterFor(sb, [serviceFor(sb.origin)]);
    await adapter.branchHead(SERVICE);
    const other = raceOnPush(2);

    const error = (await adapter
      .revert({ service: SERVICE, incidentId: INCIDENT, requestedBy: ASKER, target: { commit: c2 } })
      .catch((e: unknown) => e)) as RollbackError;

    expect(error.code).toBe('conflict');
    expect(error.details.reason).toBe('non_fast_forward');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('rejected twice');
    expect(error.fix).toMatch(/ask them to hold/);
    expect(sb.originHead()).toBe(sb.git(other, 'rev-parse', 'HEAD').trim());
    expect(sb.git(sb.origin, 'log', '--format=%s', 'refs/heads/main')).not.toContain('Revert');
  });

  it('reports a protected branch (a pre-receive hook that refuses) as forbidden with a fix', async () => {
    sb.installHook(
      sb.origin,
      'pre-receive',
      'echo "error: GH006: Protected branch update failed for refs/heads/main." >&2\nexit 1',
    );
    const error = (await adapterFor(sb, [serviceFor(sb.origin)])
      .revert({ service: SERVICE, incidentId: INCIDENT, requestedBy: ASKER, target: { commit: c2 } })
      .catch((e: unknown) => e)) as RollbackError;

    expect(error.code).toBe('forbidden');
    expect(error.details.reason).toBe('protected_branch');
    expect(error.message).toBe(
      'The remote refused the push to main of clinical-os: the branch is protected (a server-side hook declined it).',
    );
    expect(error.fix).toMatch(/branch protection/);
    expect(error.name).toBe('RollbackError');
    expect(sb.originHead()).toBe(c2);
  });

  it.each([
    ['a closed port', 'http://127.0.0.1:9/origin.git'],
    ['a missing path', '/nonexistent/rollback-bot/origin.git'],
  ])('reports a remote at %s as unreachable and retryable', async (_label, remote) => {
    const logs = captureLogs();
    const error = (await adapterFor(sb, [serviceFor(remote)], { logger: logs.logger })
      .branchHead(SERVICE)
      .catch((e: unknown) => e)) as RollbackError;
    expect(error.name).toBe('RollbackError');
    expect(error.code).toBe('unavailable');
    expect(error.details.reason).toBe('remote_unreachable');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('The git remote of clinical-os (main) cannot be reached (git clone).');
    expect(error.fix).toMatch(/git.remote/);
    expect(logs.text()).toContain('remote_unreachable');
  });
});

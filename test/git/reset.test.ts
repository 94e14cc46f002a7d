import { join } from 'node:path';
import type { RollbackError } from '../../src/rollback/errors';
import type { CommitSha, SlackUserId } from '../../src/rollback/ids';
import { ManualClock } from '../../src/rollback/clock';
import type { RecordedApproval } from '../../src/rollback/ports/approval';
import type { ServiceConfig } from '../../src/config/service-schema';
import {
  ASKER,
  INCIDENT,
  SERVICE,
  adapterFor as sandboxAdapter,
  createSandbox,
  serviceFor,
  type Sandbox,
} from './support/git-fixture';

const approval = (overrides: Partial<RecordedApproval> = {}): RecordedApproval => ({
  approvalId: 'apr-1',
  incidentId: INCIDENT,
  action: 'git-reset',
  approvedBy: 'U0CTO' as SlackUserId,
  role: 'cto',
  approvedAt: new Date('2026-01-17T10:00:00Z'),
  expiresAt: new Date('2026-01-17T10:30:00Z'),
  ...overrides,
});

describe('git Option B: reset with force-with-lease, approved only', () => {
  let sb: Sandbox;
  /** Five minutes after the approval was given, 25 before it expires. */
  let clock: ManualClock;
  const adapterFor = (box: Sandbox, services: ServiceConfig[]) => sandboxAdapter(box, services, { clock });
  let good: CommitSha;
  let bad: CommitSha;
  let worse: CommitSha;

  beforeEach(() => {
    clock = new ManualClock('2026-01-17T10:05:00Z');
    sb = createSandbox();
    sb.commit({ 'app.ts': 'v0\n' }, 'chore: initial');
    good = sb.commit({ 'app.ts': 'v1\n' }, 'feat: Complete Phase 2 frontend');
    bad = sb.commit({ 'app.ts': 'v2\n' }, 'feat(ai): Add AI features');
    worse = sb.commit({ 'other.ts': 'x\n' }, 'feat: more');
    sb.push();
  });
  afterEach(() => sb.cleanup());

  it.each([
    ['without an approval', undefined, /none was given/],
    [
      'with an approval for another incident',
      approval({ incidentId: 'inc-2' }),
      /incident inc-2, not for a git reset of incident inc-1/,
    ],
    ['with an approval for another action', approval({ action: 'schema-rollback' }), /is for schema-rollback/],
  ])('refuses %s, recommends Option A, and leaves the remote alone', async (_label, given, message) => {
    const error = (await adapterFor(sb, [serviceFor(sb.origin)])
      .reset({ service: SERVICE, incidentId: INCIDENT, requestedBy: ASKER, target: good, approval: given })
      .catch((e: unknown) => e)) as RollbackError;
    expect(error.code).toBe('approval_required');
    expect(error.message).toMatch(message);
    expect(error.fix).toContain('The runbook recommends Option A (git revert)');
    expect(sb.originHead()).toBe(worse);
  });

  it('refuses an approval given after its request expired, and leaves the remote alone', async () => {
    const adapter = adapterFor(sb, [serviceFor(sb.origin)]);
    const late = approval({ approvedAt: new Date('2026-01-17T10:31:00Z') });
    const error = (await adapter
      .reset({ service: SERVICE, incidentId: INCIDENT, requestedBy: ASKER, target: good, approval: late })
      .catch((e: unknown) => e)) as RollbackError;

    expect(error.code).toBe('approval_required');
    expect(error.message).toBe(
      'The approval apr-1 for the git reset of incident inc-1 was given at ' +
        '2026-01-17T10:31:00.000Z, after its request expired at 2026-01-17T10:30:00.000Z.',
    );
    expect(error.fix).toContain('The runbook recommends Option A (git revert)');
    expect(sb.originHead()).toBe(worse);
  });

  it(
    'runs an approval given in time even when the bot only gets to it after the ' +
      'expiry (issue 16 item 6: a restart past the deadline)',
    async () => {
      const adapter = adapterFor(sb, [serviceFor(sb.origin)]);
      clock.set('2026-01-17T11:30:00Z');
      const result = await adapter.reset({
        service: SERVICE,
        incidentId: INCIDENT,
        requestedBy: ASKER,
        target: good,
        approval: approval(),
      });
      expect(result.head).toBe(good);
      expect(sb.originHead()).toBe(good);
    },
  );

  it('resets to the last good commit and pushes with a lease when handed the CTO approval', async () => {
    const adapter = adapterFor(sb, [serviceFor(sb.origin)]);
    const result = await adapter.reset({
      service: SERVICE,
      incidentId: INCIDENT,
      requestedBy: ASKER,
      target: good.slice(0, 8),
      approval: approval(),
    });

    expect(result).toMatchObject({
      status: 'done',
      commit: good,
      head: good,
      previousHead: worse,
      discarded: [worse, bad],
    });
    expect(sb.originHead()).toBe(good);
    expect(sb.git(result.workTree, 'rev-parse', 'HEAD').trim()).toBe(good);

    const again = await adapter.reset({
      service: SERVICE,
      incidentId: INCIDENT,
      requestedBy: ASKER,
      target: good,
      approval: approval(),
    });
    expect(again.status).toBe('already-done');
  });

  it('does not throw away a commit pushed after the fetch: the lease refuses', async () => {
    const adapter = adapterFor(sb, [serviceFor(sb.origin)]);
    await adapter.branchHead(SERVICE);
    const other = sb.cloneAs('other');
    sb.installHook(
      join(sb.workspace, 'clinical-os', '.git'),
      'pre-push',
      [
        'unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE',
        `echo late > '${other}/late.txt'`,
        `git -C '${other}' add -A && git -C '${other}' -c user.name=O -c ` +
          `user.email=o@example.com commit -q -m late && git -C '${other}' push -q origin ` +
          `HEAD:refs/heads/main`,
      ].join('\n'),
    );

    const error = (await adapter
      .reset({ service: SERVICE, incidentId: INCIDENT, requestedBy: ASKER, target: good, approval: approval() })
      .catch((e: unknown) => e)) as RollbackError;

    expect(error.details.reason).toBe('non_fast_forward');
    expect(sb.originHead()).toBe(sb.git(other, 'rev-parse', 'HEAD').trim());
  });

  it('refuses a target that is not a commit id before any git work', async () => {
    const error = (await adapterFor(sb, [serviceFor(sb.origin)])
      .reset({ service: SERVICE, incidentId: INCIDENT, requestedBy: ASKER, target: '--hard', approval: approval() })
      .catch((e: unknown) => e)) as RollbackError;
    expect(error.code).toBe('bad_input');
    expect(sb.originHead()).toBe(worse);
  });
});

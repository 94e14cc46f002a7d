import { RollbackError } from '../../../src/rollback/errors';
import type { DeploymentRecord } from '../../../src/rollback/ports/incident-store';
import {
  type RollingReleaseState,
  type TargetCandidate,
  assertRollbackTarget,
  assertUsableTarget,
  defaultRollbackTarget,
  platformDefaultTarget,
  previousProductionDeployment,
  rollbackMethod,
  unpinTarget,
} from '../../../src/rollback/last-known-good/rollback-target';

const deployment = (id: string, createdAt: number, over: Partial<TargetCandidate> = {}): TargetCandidate => ({
  id,
  url: `app-${id}.vercel.app`,
  createdAt,
  target: 'production',
  state: 'READY',
  servedProduction: true,
  ...over,
});

describe('the rollback target when no last known good is recorded', () => {
  const old = deployment('dpl_old', 1);
  const good = deployment('dpl_good', 2);
  const staged = deployment('dpl_staged', 3, { servedProduction: false });
  const current = deployment('dpl_current', 4);
  const fix = deployment('dpl_fix', 5, { servedProduction: false });

  it('is the newest deployment before the current one that served production, in any order', () => {
    expect(previousProductionDeployment(current, [old, good, staged, current, fix])).toBe(good);
    expect(previousProductionDeployment(current, [fix, current, staged, good, old])).toBe(good);
    expect(previousProductionDeployment(old, [old, good, current])).toBeUndefined();
  });

  it("during a rolling release is the release's base, and the production list is not read", async () => {
    const read: string[] = [];
    const sources = {
      deployment: async (id: string) => (read.push(id), [old, good].find((d) => d.id === id) ?? old),
      production: async () => (read.push('production'), [old, good, current]),
    };
    await expect(platformDefaultTarget(current, { ...sources, releaseBaseId: 'dpl_old' })).resolves.toBe(old);
    expect(read).toEqual(['dpl_old']);
    // A release whose base is production now (the canary was aborted) falls back to the previous deployment.
    await expect(platformDefaultTarget(current, { ...sources, releaseBaseId: 'dpl_current' })).resolves.toBe(good);
    await expect(platformDefaultTarget(current, sources)).resolves.toBe(good);
    expect(read).toEqual(['dpl_old', 'production', 'production']);
  });

  it('while pinned, Unpin promotes the newest deployment after the current one, served or not', () => {
    expect(unpinTarget(current, [old, good, current, fix])).toBe(fix);
    expect(unpinTarget(fix, [old, good, current, fix])).toBeUndefined();
  });
});

describe('the precedence of a rollback that names no target', () => {
  const at = (minute: number): Date => new Date(Date.UTC(2026, 0, 20, 10, minute));
  const record = (id: string, extra: Partial<DeploymentRecord>): DeploymentRecord => ({
    service: 'svc',
    deploymentId: id,
    ...extra,
  });
  // 1.9.0 was last known good; 2.0.1 served after it (not yet good long enough); the release of 2.1.0 began at :30.
  const lastGood = record('dpl_190', {
    version: '1.9.0',
    servedFrom: at(0),
    servedUntil: at(10),
    lastKnownGoodAt: at(5),
  });
  const base = record('dpl_201', { version: '2.0.1', commitSha: 'b7920c6aa', servedFrom: at(10) });
  const release = {
    id: 'REL-1',
    base: { id: 'dpl_201', version: '2.0.1', commitSha: 'b7920c6aa' },
    startedAt: at(30),
  };

  it("goes to an active release's base before the last known good", () => {
    expect(defaultRollbackTarget([lastGood, base], release)).toEqual({
      source: 'release-base',
      deploymentId: 'dpl_201',
      release: 'REL-1',
      words: 'the base of release REL-1, 2.0.1 (commit b7920c6, dpl_201)',
    });
    // The probes saw the canary serve: the base is still the target.
    const canary = record('dpl_210', { servedFrom: at(31) });
    const sawCanary = [lastGood, { ...base, servedUntil: at(31) }, canary];
    expect(defaultRollbackTarget(sawCanary, release)?.deploymentId).toBe('dpl_201');
    // A base the bot never recorded is still the base.
    expect(defaultRollbackTarget([lastGood], release)?.deploymentId).toBe('dpl_201');
  });

  it('goes to the newest last known good not serving once production serves the base again (aborted)', () => {
    const backOnBase = [
      lastGood,
      { ...base, servedFrom: at(40) },
      record('dpl_210', { servedFrom: at(31), servedUntil: at(40) }),
    ];
    expect(defaultRollbackTarget(backOnBase, release)).toMatchObject({
      source: 'last-known-good',
      deploymentId: 'dpl_190',
      words: 'the last known good, 1.9.0 (dpl_190)',
    });
    // A last known good that is the base and serving again is not a rollback: nothing left to the records.
    expect(defaultRollbackTarget([{ ...base, servedFrom: at(40), lastKnownGoodAt: at(20) }], release)).toBeUndefined();
  });

  it('goes to the newest last known good not serving without a release, else leaves it to the platform', () => {
    expect(defaultRollbackTarget([lastGood, base])?.deploymentId).toBe('dpl_190');
    expect(defaultRollbackTarget([{ ...lastGood, lastKnownGoodAt: undefined }, base])).toBeUndefined();
    expect(defaultRollbackTarget([])).toBeUndefined();
  });
});

describe('a named target', () => {
  const refusal = (candidate: TargetCandidate, method: 'instant-rollback' | 'promote'): string => {
    try {
      assertUsableTarget(candidate, 'the spec', method);
    } catch (error) {
      expect(error).toBeInstanceOf(RollbackError);
      return (error as RollbackError).message;
    }
    return 'accepted';
  };

  it('must be a READY production deployment, and one that served production for an instant rollback', () => {
    expect(refusal(deployment('dpl_a', 1), 'instant-rollback')).toBe('accepted');
    expect(refusal(deployment('dpl_a', 1, { target: 'preview' }), 'promote')).toMatch(
      /named by "the spec", is a preview deployment/,
    );
    expect(refusal(deployment('dpl_a', 1, { state: 'ERROR' }), 'promote')).toMatch(/is ERROR, not READY/);
    expect(refusal(deployment('dpl_a', 1, { servedProduction: false }), 'instant-rollback')).toMatch(
      /never served production/,
    );
    expect(refusal(deployment('dpl_a', 1, { servedProduction: false }), 'promote')).toBe('accepted');
  });
});

describe('how a rollback moves production while the platform has a rolling release', () => {
  it('goes by instant rollback while a release is active or configured, even where the service promotes', () => {
    expect(rollbackMethod('promote', 'none')).toBe('promote');
    expect(rollbackMethod('promote', 'active')).toBe('instant-rollback');
    expect(rollbackMethod('promote', 'configured')).toBe('instant-rollback');
    expect(rollbackMethod('instant-rollback', 'none')).toBe('instant-rollback');
  });

  const refusal = (candidate: TargetCandidate, release: RollingReleaseState): RollbackError | undefined => {
    try {
      assertRollbackTarget(candidate, 'the spec', { name: 'shop', method: 'promote' }, release);
    } catch (error) {
      expect(error).toBeInstanceOf(RollbackError);
      return error as RollbackError;
    }
    return undefined;
  };

  it('takes a named deployment that served production, whatever the release', () => {
    for (const release of ['active', 'configured', 'none'] as const) {
      expect(refusal(deployment('dpl_a', 1), release)).toBeUndefined();
    }
    expect(refusal(deployment('dpl_a', 1, { servedProduction: false }), 'none')).toBeUndefined();
  });

  it('refuses one that never served production during a release, with a way out; preview first', () => {
    const staged = deployment('dpl_a', 1, { servedProduction: false });
    expect(refusal(staged, 'active')).toMatchObject({
      code: 'bad_input',
      message: expect.stringMatching(/never served production.*queue behind the rolling release under way on shop/),
      fix: 'Abort the release first with /rollout abort shop, or name a deployment that served production.',
    });
    expect(refusal(staged, 'configured')).toMatchObject({
      message: expect.stringContaining('would start a staged rolling release'),
      fix: expect.stringContaining('/rollout shop dpl_a'),
    });
    expect(refusal({ ...staged, target: 'preview' }, 'active')?.message).toMatch(/is a preview deployment/);
  });
});

import { RollbackError } from '../../../src/rollback/errors';
import {
  type TargetCandidate,
  assertUsableTarget,
  platformDefaultTarget,
  previousProductionDeployment,
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

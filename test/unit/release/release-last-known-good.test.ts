import type { ServiceName, SlackUserId } from '../../../src/rollback/ids';
import { lastKnownGoodWithRelease } from '../../../src/progressive-rollout/last-known-good';
import { INITIAL_GUARD_STATE } from '../../../src/rollback/release/guard';
import { releasePlan } from '../../../src/rollback/release/release-plan';
import type { StoredRelease } from '../../../src/store/release-store';
import { exampleService } from '../../support/services';

const service = exampleService();
const t0 = new Date('2026-01-21T04:00:00Z');
const hours = (h: number) => new Date(t0.getTime() + h * 3_600_000);
const serving = { service: service.name, deploymentId: 'dpl_canary', servedFrom: t0 };

const release = (state: StoredRelease['state'], endedAt?: Date): StoredRelease => ({
  id: 'REL-1',
  service: service.name as ServiceName,
  canary: { id: 'dpl_canary', url: 'canary.vercel.app' },
  base: { id: 'dpl_base', url: 'base.vercel.app' },
  stages: releasePlan(service).stages,
  state,
  stageIndex: 2,
  stageStartedAt: t0,
  startedAt: t0,
  requestedBy: 'U0DEVOPS1' as SlackUserId,
  triggerState: INITIAL_GUARD_STATE,
  overrides: [],
  endedAt,
  version: 3,
});

describe('last known good of a released deployment', () => {
  it('is never a deployment whose release is under way, however long it served', () => {
    const decision = lastKnownGoodWithRelease({
      service,
      serving,
      release: release('watching'),
      incidents: [],
      now: hours(48),
    });
    expect(decision).toEqual({ promote: false, reason: 'dpl_canary is being released (REL-1, watching)' });
  });

  it('waits 24 hours at 100% instead of lastKnownGoodAfterMinutes, then promotes', () => {
    const done = release('completed', hours(2));
    expect(lastKnownGoodWithRelease({ service, serving, release: done, incidents: [], now: hours(3) }).promote).toBe(
      false,
    );
    expect(lastKnownGoodWithRelease({ service, serving, release: done, incidents: [], now: hours(26) }).promote).toBe(
      true,
    );
  });

  it('keeps the existing rule for a deployment that did not come through /rollout', () => {
    const other = { ...serving, deploymentId: 'dpl_other' };
    const decision = lastKnownGoodWithRelease({
      service,
      serving: other,
      release: release('completed', t0),
      incidents: [],
      now: hours(2),
    });
    expect(decision.promote).toBe(true);
  });
});

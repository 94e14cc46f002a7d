import { parseServicesFile } from '../../../src/config/load-config';
import { describePlan, releasePlan } from '../../../src/rollback/release/release-plan';
import { exampleService, exampleServiceRaw, servicesYaml } from '../../support/services';

describe('the release plan from the services file', () => {
  it("defaults to the runbook's 10%, 50%, 100%, each watched 30 minutes, stable 24 hours", () => {
    const plan = releasePlan(exampleService());
    expect(plan.stages).toEqual([
      { percent: 10, watchMinutes: 30, requireApproval: false },
      { percent: 50, watchMinutes: 30, requireApproval: false },
      { percent: 100, watchMinutes: 30, requireApproval: false },
    ]);
    expect(plan.stableHours).toBe(24);
    expect(describePlan(plan.stages)).toBe('10% → 50% → 100%, 30 min each');
  });

  it('reads stages with approval, and the staging URL (default staging.url)', () => {
    const service = exampleService({
      rollout: { stages: [{ percent: 5, watchMinutes: 15 }, { percent: 25, requireApproval: true }, { percent: 100 }] },
    });
    const plan = releasePlan(service);
    expect(plan.stages.map((s) => [s.percent, s.watchMinutes, s.requireApproval])).toEqual([
      [5, 15, false],
      [25, 30, true],
      [100, 30, false],
    ]);
    expect(plan.stagingUrl).toBe(service.staging?.url);
    expect(describePlan(plan.stages)).toBe('5% (15 min) → 25% (30 min) [approval] → 100% (30 min)');
  });

  it.each([
    [[{ percent: 50 }, { percent: 10 }, { percent: 100 }], 'raise percent at every stage'],
    [[{ percent: 10 }, { percent: 90 }], 'last rollout stage must be 100 percent'],
    [[{ percent: 10, watchMinutes: 0 }, { percent: 100 }], 'rollout'],
  ])('refuses stages %j with a clear message', (stages, message) => {
    const yaml = servicesYaml([exampleServiceRaw({ rollout: { stages } })]);
    expect(() => parseServicesFile(yaml, 'test')).toThrow(message);
  });
});

import {
  approvedActionFor,
  buildPlan,
  etaMinutes,
  isRollbackKind,
  ROLLBACK_KINDS,
} from '../../../src/rollback/incident/plan';
import type { RollbackKind } from '../../../src/rollback/incident/plan';
import { transitionStep } from '../../../src/rollback/incident/step-state';
import type { StepState } from '../../../src/rollback/incident/step-state';

describe('buildPlan', () => {
  it.each<[RollbackKind, string[], string[], [number, number, string], string]>([
    ['application', ['application', 'verification'], [], [2, 5, '2-5 minutes'], 'none'],
    ['revert', ['code_revert', 'deploy', 'verification'], [], [5, 10, '5-10 minutes'], 'none'],
    ['reset', ['code_reset', 'deploy', 'verification'], ['git-reset'], [5, 10, '5-10 minutes'], 'history_rewritten'],
    ['schema', ['schema', 'verification'], ['schema-rollback'], [15, 30, '15-30 minutes'], 'high'],
  ])(
    '%s: steps %j, approvals %j, duration %j, data loss %s',
    (kind, steps, approvals, [min, max, runbook], dataLoss) => {
      const plan = buildPlan(kind);
      expect(plan.kind).toBe(kind);
      expect(plan.steps.map((s) => s.kind)).toEqual(steps);
      expect(plan.steps.map((s) => s.position)).toEqual(steps.map((_, i) => i + 1));
      expect(plan.approvals.map((a) => a.action)).toEqual(approvals);
      expect(plan.approvals.every((a) => a.role === 'cto')).toBe(true);
      expect(plan.duration).toEqual({ minMinutes: min, maxMinutes: max, runbook });
      expect(etaMinutes(plan)).toBe(max);
      expect(plan.dataLoss).toBe(dataLoss);
      expect(plan.title).toBeTruthy();
      expect(plan.dataLossNote).toBeTruthy();
    },
  );

  it('marks exactly the steps that need the CTO and ties each approval to its step', () => {
    const reset = buildPlan('reset');
    expect(reset.steps.map((s) => s.needsApproval)).toEqual([true, false, false]);
    expect(reset.approvals).toEqual([{ position: 1, action: 'git-reset', role: 'cto' }]);
    expect(buildPlan('application').steps.some((s) => s.needsApproval)).toBe(false);
  });

  it('quotes the runbook on data loss', () => {
    expect(buildPlan('application').dataLossNote).toBe('None (stateless application).');
    expect(buildPlan('schema').dataLossNote).toMatch(/^HIGH RISK: new data in dropped columns and tables is lost/);
  });

  it('every plan can run to the end through the step machine', () => {
    for (const kind of ROLLBACK_KINDS) {
      for (const step of buildPlan(kind).steps) {
        const events = step.needsApproval
          ? (['request_approval', 'approve', 'start', 'succeed'] as const)
          : (['start', 'succeed'] as const);
        const end = events.reduce<StepState>((state, event) => transitionStep(state, event, step.kind), 'pending');
        expect(end).toBe('succeeded');
      }
    }
  });

  it('returns frozen data, so a dry run cannot change the next plan', () => {
    const plan = buildPlan('reset');
    expect(Object.isFrozen(plan)).toBe(true);
    expect(Object.isFrozen(plan.steps)).toBe(true);
    expect(Object.isFrozen(plan.steps[0])).toBe(true);
    expect(Object.isFrozen(plan.duration)).toBe(true);
    expect(() => (plan.steps as unknown as unknown[]).push({})).toThrow(TypeError);
    expect(buildPlan('reset').steps).toHaveLength(3);
  });
});

describe('plan helpers', () => {
  it('names the recorded approval action per step kind', () => {
    expect(approvedActionFor('code_reset')).toBe('git-reset');
    expect(approvedActionFor('schema')).toBe('schema-rollback');
    expect(approvedActionFor('code_revert')).toBeUndefined();
    expect(approvedActionFor('verification')).toBeUndefined();
  });

  it.each([
    ['application', true],
    ['revert', true],
    ['reset', true],
    ['schema', true],
    ['rollback', false],
    ['', false],
  ])('isRollbackKind(%j) is %s', (value, expected) => {
    expect(isRollbackKind(value)).toBe(expected);
  });
});

import { INITIAL_TRIGGER_STATE } from '../../../src/rollback/signals/triggers';
import type { ProbeObservation } from '../../../src/rollback/signals/probe-evidence';
import type { ServiceName } from '../../../src/rollback/ids';
import { canarySample, decide, judgeCanary } from '../../../src/rollout/guard';
import { releasePlan } from '../../../src/rollout/release-plan';
import type { ReleaseState } from '../../../src/rollout/release-state';
import { exampleService } from '../../support/services';

const service = exampleService();
const settings = service.triggers;
const stages = releasePlan(service).stages;
const t0 = new Date('2026-01-18T04:00:00Z');
const minutes = (m: number) => new Date(t0.getTime() + m * 60_000);

const check = (name: string, ok: boolean, status: number, signIn = false): ProbeObservation => ({
  check: name,
  ran: true,
  ok,
  status,
  signIn,
  at: t0,
});
const healthy = [check('health', true, 200), check('version', true, 200), check('smoke:sign-in', true, 200, true)];
const fast = Array.from({ length: 10 }, () => 100);

function round(canary: ProbeObservation[], extra: Partial<Parameters<typeof canarySample>[0]> = {}) {
  return canarySample({
    at: t0,
    canary,
    earlier: [],
    canaryLatencies: fast,
    baseLatencies: fast,
    alerts: [],
    ...extra,
  });
}

const release = (state: ReleaseState, stageIndex = 0, startedMinutesAgo = 0, now = 30) => ({
  state,
  stages,
  stageIndex,
  stageStartedAt: minutes(now - startedMinutesAgo),
});

describe('the guard judges the canary with the runbook triggers', () => {
  it('advances a stage whose 30 minutes are up on a healthy canary, not before', () => {
    const ok = judgeCanary(INITIAL_TRIGGER_STATE, round(healthy), settings);
    expect(ok.verdict).toBe('ok');
    expect(decide(release('watching', 0, 29), ok, minutes(30)).action).toBe('watch');
    expect(decide(release('watching', 0, 30), ok, minutes(30))).toMatchObject({ action: 'advance', toIndex: 1 });
    expect(decide(release('watching', 2, 30), ok, minutes(30)).action).toBe('complete');
  });

  it('aborts at once when sign-in fails on the canary in consecutive rounds (MUST), even while paused', () => {
    const failing = [check('health', true, 200), check('smoke:sign-in', false, 401, true)];
    const earlier = [{ ...check('smoke:sign-in', false, 401, true), at: new Date(t0.getTime() - 30_000) }];
    const evaluation = judgeCanary(INITIAL_TRIGGER_STATE, round(failing, { earlier }), settings);
    expect(evaluation.verdict).toBe('must');
    expect(decide(release('watching', 0, 1), evaluation, minutes(30))).toMatchObject({
      action: 'abort',
      reason: expect.stringContaining('auth completely broken'),
    });
    expect(decide(release('paused', 0, 1), evaluation, minutes(30)).action).toBe('abort');
    expect(decide(release('awaiting_approval', 0, 40), evaluation, minutes(30)).action).toBe('abort');
  });

  it('pauses on a SHOULD: P95 over 50% above the base deployment, or over 10% of canary answers failing', () => {
    const slow = judgeCanary(INITIAL_TRIGGER_STATE, round(healthy, { canaryLatencies: fast.map(() => 160) }), settings);
    expect(slow).toMatchObject({ verdict: 'should', rule: 'p95_latency' });
    expect(decide(release('watching', 0, 5), slow, minutes(30)).action).toBe('pause');
    const within = judgeCanary(
      INITIAL_TRIGGER_STATE,
      round(healthy, { canaryLatencies: fast.map(() => 149) }),
      settings,
    );
    expect(within.verdict).toBe('ok');
    const tenPercent = [...healthy, ...healthy, ...healthy, check('smoke:orders', false, 500)];
    expect(judgeCanary(INITIAL_TRIGGER_STATE, round(tenPercent), settings).verdict).toBe('ok');
    const errors = [...healthy, ...healthy, check('smoke:orders', false, 500)];
    const failing = judgeCanary(INITIAL_TRIGGER_STATE, round(errors), settings);
    expect(failing.verdict).toBe('should');
    expect(failing.reason).toContain('feature "canary"');
  });

  it('takes what alerts naming the service declare (a MUST from an alert aborts)', () => {
    const alert = {
      service: service.name as ServiceName,
      kind: 'db_writes_failing' as const,
      firing: true,
      fingerprint: 'a1',
      source: 'alertmanager' as const,
      at: t0,
      summary: 'writes failing',
    };
    const evaluation = judgeCanary(INITIAL_TRIGGER_STATE, round(healthy, { alerts: [alert] }), settings);
    expect(evaluation).toMatchObject({ verdict: 'must', rule: 'db_writes_failing' });
  });

  it('holds a stage whose time is up when the canary gave no evidence, and waits for Approve where required', () => {
    const none = judgeCanary(INITIAL_TRIGGER_STATE, round([], { canaryLatencies: [], baseLatencies: [] }), settings);
    expect(none.verdict).toBe('inconclusive');
    expect(decide(release('watching', 0, 45), none, minutes(30))).toMatchObject({
      action: 'watch',
      reason: expect.stringContaining('no evidence'),
    });
    const ok = judgeCanary(INITIAL_TRIGGER_STATE, round(healthy), settings);
    const approval = {
      ...release('watching', 0, 30),
      stages: stages.map((s, i) => ({ ...s, requireApproval: i === 0 })),
    };
    expect(decide(approval, ok, minutes(30)).action).toBe('ask_approval');
    expect(decide({ ...approval, state: 'awaiting_approval' }, ok, minutes(30)).action).toBe('watch');
  });
});

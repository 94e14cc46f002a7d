import type { ProbeObservation } from '../../../src/rollback/signals/probe-evidence';
import type { ServiceName } from '../../../src/rollback/ids';
import {
  type CanaryRound,
  type GuardState,
  INITIAL_GUARD_STATE,
  decide,
  judgeCanary,
} from '../../../src/rollback/release/guard';
import { releasePlan } from '../../../src/rollback/release/release-plan';
import type { ReleaseState } from '../../../src/rollback/release/release-state';
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

function judge(canary: ProbeObservation[], extra: Partial<CanaryRound> = {}, state: GuardState = INITIAL_GUARD_STATE) {
  const round: CanaryRound = { at: t0, canary, canaryLatencies: fast, baseLatencies: fast, alerts: [], ...extra };
  return judgeCanary(state, round, settings);
}

const release = (state: ReleaseState, stageIndex = 0, startedMinutesAgo = 0, now = 30) => ({
  state,
  stages,
  stageIndex,
  stageStartedAt: minutes(now - startedMinutesAgo),
});

describe('the guard judges the canary with the runbook triggers', () => {
  it('advances a stage whose 30 minutes are up on a healthy canary, not before', () => {
    const ok = judge(healthy).evaluation;
    expect(ok.verdict).toBe('ok');
    expect(decide(release('watching', 0, 29), ok, minutes(30)).action).toBe('watch');
    expect(decide(release('watching', 0, 30), ok, minutes(30))).toMatchObject({ action: 'advance', toIndex: 1 });
    expect(decide(release('watching', 2, 30), ok, minutes(30)).action).toBe('complete');
  });

  it('aborts at once when sign-in fails on the canary in consecutive rounds (MUST), even while paused', () => {
    const failing = [check('health', true, 200), check('smoke:sign-in', false, 401, true)];
    const first = judge(failing);
    expect(first.evaluation.verdict).not.toBe('must');
    expect(first.state.signInFailedRounds).toBe(1);
    const { evaluation } = judge(failing, {}, first.state);
    expect(evaluation.verdict).toBe('must');
    expect(decide(release('watching', 0, 1), evaluation, minutes(30))).toMatchObject({
      action: 'abort',
      reason: expect.stringContaining('auth completely broken'),
    });
    expect(decide(release('paused', 0, 1), evaluation, minutes(30)).action).toBe('abort');
    expect(decide(release('awaiting_approval', 0, 40), evaluation, minutes(30)).action).toBe('abort');
  });

  it('pauses on a SHOULD: P95 over 50% above the base deployment, or over 10% of canary answers failing', () => {
    const slow = judge(healthy, { canaryLatencies: fast.map(() => 160) }).evaluation;
    expect(slow).toMatchObject({ verdict: 'should', rule: 'p95_latency' });
    expect(decide(release('watching', 0, 5), slow, minutes(30)).action).toBe('pause');
    const within = judge(healthy, { canaryLatencies: fast.map(() => 149) }).evaluation;
    expect(within.verdict).toBe('ok');
    const tenPercent = [...healthy, ...healthy, ...healthy, check('smoke:orders', false, 500)];
    expect(judge(tenPercent).evaluation.verdict).toBe('ok');
    const errors = [...healthy, ...healthy, check('smoke:orders', false, 500)];
    const failing = judge(errors).evaluation;
    expect(failing.verdict).toBe('should');
    expect(failing.reason).toContain('feature "canary"');
  });

  it('keeps the newest latencies of both deployments between rounds, so a P95 builds from small rounds', () => {
    const three = [100, 100, 100];
    const first = judge(healthy, { canaryLatencies: three, baseLatencies: three });
    expect(first.evaluation.findings.find((f) => f.rule === 'p95_latency')?.status).toBe('no_data');
    const second = judge(healthy, { canaryLatencies: [400, 400, 400], baseLatencies: three }, first.state);
    expect(second.state.canaryLatencies).toEqual([400, 400, 400, 100, 100, 100]);
    expect(second.evaluation).toMatchObject({ verdict: 'should', rule: 'p95_latency' });
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
    const { evaluation } = judge(healthy, { alerts: [alert] });
    expect(evaluation).toMatchObject({ verdict: 'must', rule: 'db_writes_failing' });
  });

  it('holds a stage whose time is up when the canary gave no evidence, and waits for Approve where required', () => {
    const none = judge([], { canaryLatencies: [], baseLatencies: [] }).evaluation;
    expect(none.verdict).toBe('inconclusive');
    expect(decide(release('watching', 0, 45), none, minutes(30))).toMatchObject({
      action: 'watch',
      reason: expect.stringContaining('no evidence'),
    });
    const ok = judge(healthy).evaluation;
    const approval = {
      ...release('watching', 0, 30),
      stages: stages.map((s, i) => ({ ...s, requireApproval: i === 0 })),
    };
    expect(decide(approval, ok, minutes(30)).action).toBe('ask_approval');
    expect(decide({ ...approval, state: 'awaiting_approval' }, ok, minutes(30)).action).toBe('watch');
  });
});

/**
 * The pure parts of the probes: P95 arithmetic, probe evidence for the trigger rules
 * (fires / clear / no data per field) and the sign-in smoke test.
 */
import {
  type ProbeObservation,
  isSignInTest,
  p95,
  percentile,
  probeEvidenceOf,
} from '../../src/rollback/signals/probe-evidence';
import { evaluate, INITIAL_TRIGGER_STATE } from '../../src/rollback/signals/triggers';
import { exampleService } from '../support/services';

const obs = (
  check: string,
  ok: boolean,
  status: number | undefined,
  extra: Partial<ProbeObservation> = {},
): ProbeObservation => ({
  check,
  ran: true,
  ok,
  signIn: check === 'smoke:sign-in',
  status,
  ...extra,
});

describe('P95', () => {
  it('is the nearest-rank 95th percentile of known latencies', () => {
    const ms = Array.from({ length: 20 }, (_, i) => (i + 1) * 10); // 10..200
    expect(percentile(ms, 95)).toBe(190);
    expect(percentile([...ms].reverse(), 95)).toBe(190);
    expect(percentile([100, 100, 100, 100, 900], 95)).toBe(900);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        95,
      ),
    ).toBe(95);
    expect(percentile([], 95)).toBeUndefined();
  });

  it('needs five samples', () => {
    expect(p95([1, 2, 3, 4])).toBeUndefined();
    expect(p95([10, 20, 30, 40, 50])).toBe(50);
  });
});

describe('probeEvidenceOf', () => {
  const T0 = new Date('2026-01-20T09:00:00Z');
  const none = { currentLatencies: [], previousLatencies: [] };

  it('has no field at all when nothing was probed', () => {
    expect(probeEvidenceOf({ window: [], ...none })).toEqual({});
  });

  const run = (seconds: number, checks: ProbeObservation[]): ProbeObservation[] =>
    checks.map((o) => ({ ...o, at: new Date(T0.getTime() + seconds * 1000) }));

  it('a run fails sign-in only when the sign-in test failed in every attempt of it', () => {
    expect(
      probeEvidenceOf({ window: [obs('smoke:sign-in', false, 500), obs('smoke:sign-in', false, undefined)], ...none })
        .authFailedRuns,
    ).toBe(1);
    expect(
      probeEvidenceOf({ window: [obs('smoke:sign-in', false, 500), obs('smoke:sign-in', true, 200)], ...none })
        .authFailedRuns,
    ).toBe(0);
    expect(probeEvidenceOf({ window: [obs('health', true, 200)], ...none }).authFailedRuns).toBeUndefined();
  });

  it('counts failed sign-in runs back until one passed, skipping runs that did not try', () => {
    const earlier = [
      ...run(0, [obs('smoke:sign-in', false, 500)]),
      ...run(30, [obs('smoke:sign-in', true, 200)]),
      ...run(60, [obs('smoke:sign-in', false, 500)]),
      ...run(90, [obs('smoke:sign-in', false, undefined, { ran: false }), obs('health', true, 200)]),
    ];
    const window = run(120, [obs('smoke:sign-in', false, 502)]);
    // 120 s and 60 s failed; 90 s did not try; 30 s passed, so 0 s is not consecutive.
    expect(probeEvidenceOf({ window, earlier, ...none }).authFailedRuns).toBe(2);
    // The interval itself did not try: no data, whatever earlier runs said.
    expect(
      probeEvidenceOf({ window: run(120, [obs('health', true, 200)]), earlier, ...none }).authFailedRuns,
    ).toBeUndefined();
    // Two runs inside one interval count as two runs.
    expect(
      probeEvidenceOf({ window: [...run(100, [obs('smoke:sign-in', false, 500)]), ...window], ...none }).authFailedRuns,
    ).toBe(2);
  });

  it('a check that could not be made (missing env) is not evidence', () => {
    const notRun = obs('smoke:sign-in', false, undefined, { ran: false });
    expect(probeEvidenceOf({ window: [notRun], ...none })).toEqual({});
    expect(
      probeEvidenceOf({ window: [obs('db_write', false, undefined, { ran: false })], ...none }).dbWriteFailedRuns,
    ).toBeUndefined();
  });

  it('a 404 before the probes have seen any deployment is no data, not a broken sign-in', () => {
    const notThereYet = run(60, [
      obs('health', false, 404),
      obs('version', false, 404),
      obs('smoke:sign-in', false, 404),
    ]);
    const earlier = run(30, [obs('smoke:sign-in', false, 404)]);
    expect(probeEvidenceOf({ window: notThereYet, earlier, ...none })).toEqual({});
    // Seen since 45 s: the 60 s run's 404s are evidence, the 30 s one's are not.
    expect(
      probeEvidenceOf({ window: notThereYet, earlier, deploymentSeenSince: new Date(T0.getTime() + 45_000), ...none }),
    ).toEqual({ authFailedRuns: 1, fiveXxRate: 0 });
    // A run that identified the deployment answers for itself: its 404 is the app's.
    const identified = run(60, [obs('smoke:sign-in', false, 404, { deploymentId: 'dpl_1' })]);
    expect(probeEvidenceOf({ window: identified, ...none }).authFailedRuns).toBe(1);
    // Other failures count before a deployment is seen: a 500 or a timeout is production answering.
    expect(probeEvidenceOf({ window: run(60, [obs('smoke:sign-in', false, 500)]), ...none }).authFailedRuns).toBe(1);
  });

  it('database writes fail in a run only when every write probe of it failed, counted over runs like sign-in', () => {
    expect(
      probeEvidenceOf({ window: [obs('db_write', false, undefined), obs('db_write', false, undefined)], ...none })
        .dbWriteFailedRuns,
    ).toBe(1);
    expect(
      probeEvidenceOf({ window: [obs('db_write', false, undefined), obs('db_write', true, undefined)], ...none })
        .dbWriteFailedRuns,
    ).toBe(0);
    expect(probeEvidenceOf({ window: [obs('health', true, 200)], ...none }).dbWriteFailedRuns).toBeUndefined();
    const earlier = [...run(0, [obs('db_write', false, undefined)]), ...run(30, [obs('db_write', false, undefined)])];
    expect(
      probeEvidenceOf({ window: run(60, [obs('db_write', false, undefined)]), earlier, ...none }).dbWriteFailedRuns,
    ).toBe(3);
  });

  it('the 5xx rate is the share of answered HTTP checks that were 5xx', () => {
    const window = [
      obs('health', false, 503),
      obs('version', true, 200),
      obs('smoke:sign-in', false, 500),
      obs('health', true, 200),
      obs('health', false, undefined),
      obs('db_write', false, undefined),
    ];
    expect(probeEvidenceOf({ window, ...none }).fiveXxRate).toBe(0.5);
    expect(probeEvidenceOf({ window: [obs('health', true, 200)], ...none }).fiveXxRate).toBe(0);
    // Only timeouts: nothing answered, so nothing is known about 5xx.
    expect(probeEvidenceOf({ window: [obs('health', false, undefined)], ...none }).fiveXxRate).toBeUndefined();
  });

  it("P95 of the last 20 samples against the previous deployment's", () => {
    const current = [...Array.from({ length: 20 }, () => 300), ...Array.from({ length: 30 }, () => 5)];
    const evidence = probeEvidenceOf({
      window: [],
      currentLatencies: current,
      previousLatencies: [100, 100, 100, 100, 180, 120],
    });
    expect(evidence).toEqual({ p95Ms: 300, baselineP95Ms: 180 });
    expect(probeEvidenceOf({ window: [], currentLatencies: [1, 2, 3], previousLatencies: [1, 2, 3] })).toEqual({});
  });

  it('feeds the trigger rules: one failed sign-in run builds (MAY), the second in a row is a MUST', () => {
    const settings = exampleService().triggers;
    expect(settings.probeFailuresMust).toBe(2);
    const once = probeEvidenceOf({
      window: run(30, [obs('smoke:sign-in', false, 401), obs('health', true, 200)]),
      ...none,
    });
    expect(evaluate(INITIAL_TRIGGER_STATE, { at: new Date(), ...once }, settings)).toMatchObject({
      verdict: 'may',
      rule: 'auth_broken',
      reason: expect.stringMatching(
        /sign-in smoke test failed in 1 consecutive run; MUST once it fails 2 runs in a row/,
      ),
    });
    const twice = probeEvidenceOf({
      window: run(30, [obs('smoke:sign-in', false, 401)]),
      earlier: run(0, [obs('smoke:sign-in', false, 500)]),
      ...none,
    });
    expect(evaluate(INITIAL_TRIGGER_STATE, { at: new Date(), ...twice }, settings)).toMatchObject({
      verdict: 'must',
      rule: 'auth_broken',
      reason: expect.stringMatching(
        /auth completely broken: users cannot sign in \(the sign-in smoke test failed in 2 consecutive runs\)/,
      ),
    });
    const writes = probeEvidenceOf({
      window: run(30, [obs('db_write', false, undefined)]),
      earlier: run(0, [obs('db_write', false, undefined)]),
      ...none,
    });
    expect(evaluate(INITIAL_TRIGGER_STATE, { at: new Date(), ...writes }, settings)).toMatchObject({
      verdict: 'must',
      rule: 'db_writes_failing',
    });
    const slow = probeEvidenceOf({
      window: [obs('health', true, 200)],
      currentLatencies: [400, 400, 400, 400, 400],
      previousLatencies: [100, 100, 100, 100, 100],
    });
    expect(evaluate(INITIAL_TRIGGER_STATE, { at: new Date(), ...slow }, settings)).toMatchObject({
      verdict: 'should',
      rule: 'p95_latency',
    });
    const clear = probeEvidenceOf({ window: [obs('smoke:sign-in', true, 200), obs('health', true, 200)], ...none });
    expect(evaluate(INITIAL_TRIGGER_STATE, { at: new Date(), ...clear }, settings).verdict).toBe('ok');
    expect(
      evaluate(INITIAL_TRIGGER_STATE, { at: new Date(), ...probeEvidenceOf({ window: [], ...none }) }, settings)
        .verdict,
    ).toBe('inconclusive');
    // Before any deployment: 404s everywhere are no data, never a MUST at start.
    const before = probeEvidenceOf({
      window: run(30, [obs('health', false, 404), obs('smoke:sign-in', false, 404)]),
      earlier: run(0, [obs('smoke:sign-in', false, 404)]),
      ...none,
    });
    expect(evaluate(INITIAL_TRIGGER_STATE, { at: new Date(), ...before }, settings).verdict).toBe('inconclusive');
  });
});

describe('isSignInTest', () => {
  it('is the test marked signIn, or named like sign-in/login/auth unless marked false', () => {
    expect(isSignInTest({ name: 'sign-in' })).toBe(true);
    expect(isSignInTest({ name: 'Login page' })).toBe(true);
    expect(isSignInTest({ name: 'auth-session' })).toBe(true);
    expect(isSignInTest({ name: 'checkout' })).toBe(false);
    expect(isSignInTest({ name: 'checkout', signIn: true })).toBe(true);
    expect(isSignInTest({ name: 'auth-metrics', signIn: false })).toBe(false);
  });
});

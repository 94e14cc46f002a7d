import {
  evaluate,
  fiveXxIntervalsNeeded,
  INITIAL_TRIGGER_STATE,
  parseAlertMessage,
  sampleFromSignals,
} from '../../../src/rollback/signals';
import type { IntervalSample } from '../../../src/rollback/signals';
import { at, RUNBOOK_TRIGGERS, SERVICES, signal } from './builders';
import { personSays } from './slack-builders';

const sample = (fields: Omit<IntervalSample, 'at'> = {}, seconds = 0): IntervalSample => ({
  at: at(seconds),
  ...fields,
});
const healthy: Omit<IntervalSample, 'at'> = {
  authBroken: false,
  dbWritesFailing: false,
  fiveXxRate: 0.01,
  p95Ms: 300,
  baselineP95Ms: 280,
};
const once = (fields: Omit<IntervalSample, 'at'>) => evaluate(INITIAL_TRIGGER_STATE, sample(fields), RUNBOOK_TRIGGERS);
/** Consecutive 30-second intervals with these 5xx rates. */
const fiveXxRun = (rates: Array<number | undefined>) =>
  rates.map((rate, i) => sample(rate === undefined ? { authBroken: false } : { ...healthy, fiveXxRate: rate }, i * 30));

describe('MUST triggers', () => {
  it.each([
    ['authBroken', 'auth_broken', /users cannot sign in/],
    ['dbWritesFailing', 'db_writes_failing', /data cannot be saved/],
  ] as const)('%s fires MUST when true, is clear when false', (field, rule, reason) => {
    const fired = once({ ...healthy, [field]: true });
    expect(fired).toMatchObject({ verdict: 'must', rule });
    expect(fired.reason).toMatch(reason);
    expect(once({ ...healthy, [field]: false }).verdict).toBe('ok');
  });

  it.each([
    [
      'authFailedRuns',
      'auth_broken',
      /users cannot sign in \(the sign-in smoke test failed in 2 consecutive runs\)/,
      /the sign-in smoke test failed in 1 consecutive run; MUST once it fails 2 runs in a row/,
    ],
    [
      'dbWriteFailedRuns',
      'db_writes_failing',
      /data cannot be saved \(the database write probe failed in 2 consecutive runs\)/,
      /the database write probe failed in 1 consecutive run; MUST/,
    ],
  ] as const)(
    '%s from the probes: MUST at probeFailuresMust runs in a row, MAY (building) before, clear at 0',
    (field, rule, must, building) => {
      const probes = { fiveXxRate: 0.01, p95Ms: 300, baselineP95Ms: 280 };
      const one = once({ ...probes, [field]: 1 });
      expect(one).toMatchObject({ verdict: 'may', rule });
      expect(one.findings.find((f) => f.rule === rule)?.status).toBe('building');
      expect(one.reason).toMatch(building);
      const two = once({ ...probes, [field]: 2 });
      expect(two).toMatchObject({ verdict: 'must', rule });
      expect(two.reason).toMatch(must);
      expect(once({ ...probes, [field]: 0 }).verdict).toBe('ok');
      expect(
        evaluate(INITIAL_TRIGGER_STATE, sample({ ...probes, [field]: 2 }), {
          ...RUNBOOK_TRIGGERS,
          probeFailuresMust: 3,
        }),
      ).toMatchObject({ verdict: 'may', rule });
      expect(
        evaluate(INITIAL_TRIGGER_STATE, sample({ ...probes, [field]: 1 }), {
          ...RUNBOOK_TRIGGERS,
          probeFailuresMust: 1,
        }),
      ).toMatchObject({ verdict: 'must', rule });
    },
  );

  it('an alert declaring auth broken counts at once, whatever the probes counted', () => {
    const declared = once({ fiveXxRate: 0.01, authBroken: true, authFailedRuns: 0 });
    expect(declared).toMatchObject({ verdict: 'must', rule: 'auth_broken' });
    expect(declared.reason).toBe('auth completely broken: users cannot sign in');
    const fromAlert = sampleFromSignals(sample({ authFailedRuns: 0 }), [
      signal({ kind: 'auth_broken', summary: 'SignInFailing' }),
    ]);
    expect(evaluate(INITIAL_TRIGGER_STATE, fromAlert, RUNBOOK_TRIGGERS)).toMatchObject({
      verdict: 'must',
      rule: 'auth_broken',
    });
  });

  it('a declared critical security vulnerability is MUST', () => {
    expect(once({ ...healthy, criticalVulnerability: true })).toMatchObject({
      verdict: 'must',
      rule: 'security_vulnerability',
    });
  });

  it('needs the 5xx rate above 25% for more than 2 minutes: 5 intervals of 30 s, not 4', () => {
    expect(fiveXxIntervalsNeeded(RUNBOOK_TRIGGERS)).toBe(5);
    const four = evaluate(INITIAL_TRIGGER_STATE, fiveXxRun([0.4, 0.4, 0.4, 0.4]), RUNBOOK_TRIGGERS);
    expect(four).toMatchObject({ verdict: 'may', rule: 'five_xx_rate', state: { fiveXxIntervals: 4 } });
    expect(four.reason).toMatch(/for 120s .*MUST once it lasts more than 120s/);
    const five = evaluate(four.state, sample({ ...healthy, fiveXxRate: 0.4 }, 120), RUNBOOK_TRIGGERS);
    expect(five).toMatchObject({ verdict: 'must', rule: 'five_xx_rate', state: { fiveXxIntervals: 5 } });
    expect(five.reason).toMatch(/5xx rate 40% above 25% for 150s/);
  });

  it('does not fire at exactly 25%, and a healthy interval resets the count', () => {
    expect(
      evaluate(INITIAL_TRIGGER_STATE, fiveXxRun([0.25, 0.25, 0.25, 0.25, 0.25, 0.25]), RUNBOOK_TRIGGERS).verdict,
    ).toBe('ok');
    const broken = evaluate(INITIAL_TRIGGER_STATE, fiveXxRun([0.5, 0.5, 0.5, 0.5, 0.1, 0.5]), RUNBOOK_TRIGGERS);
    expect(broken).toMatchObject({ verdict: 'may', state: { fiveXxIntervals: 1 } });
  });

  it('an interval without 5xx data neither advances nor resets the count', () => {
    const gap = evaluate(INITIAL_TRIGGER_STATE, fiveXxRun([0.5, 0.5, undefined, 0.5, 0.5]), RUNBOOK_TRIGGERS);
    expect(gap.state.fiveXxIntervals).toBe(4);
    expect(gap.verdict).toBe('may');
    expect(evaluate(gap.state, sample({ ...healthy, fiveXxRate: 0.5 }, 150), RUNBOOK_TRIGGERS).verdict).toBe('must');
  });

  it('uses the service thresholds', () => {
    const strict = { ...RUNBOOK_TRIGGERS, fiveXxRateMust: 0.1, fiveXxMustForSeconds: 60 };
    expect(evaluate(INITIAL_TRIGGER_STATE, fiveXxRun([0.2, 0.2, 0.2]), strict).verdict).toBe('must');
    expect(evaluate(INITIAL_TRIGGER_STATE, fiveXxRun([0.2, 0.2, 0.2]), RUNBOOK_TRIGGERS).verdict).toBe('ok');
  });
});

describe('SHOULD triggers', () => {
  it('a feature error rate above 10% fires, 10% does not', () => {
    const fired = once({ ...healthy, featureErrorRates: [{ feature: 'ai-notes', rate: 0.11 }, { rate: 0.02 }] });
    expect(fired).toMatchObject({ verdict: 'should', rule: 'feature_error_rate' });
    expect(fired.reason).toContain('feature "ai-notes" has a 11% error rate');
    expect(once({ ...healthy, featureErrorRates: [{ feature: 'ai-notes', rate: 0.1 }] }).verdict).toBe('ok');
  });

  it('P95 more than 50% above the previous deployment baseline fires; 50% does not; no baseline is no data', () => {
    expect(once({ ...healthy, p95Ms: 451, baselineP95Ms: 300 })).toMatchObject({
      verdict: 'should',
      rule: 'p95_latency',
    });
    expect(once({ ...healthy, p95Ms: 450, baselineP95Ms: 300 }).verdict).toBe('ok');
    const noBaseline = once({ authBroken: false, p95Ms: 5000 });
    expect(noBaseline.verdict).toBe('ok');
    expect(noBaseline.findings.find((f) => f.rule === 'p95_latency')?.status).toBe('no_data');
    expect(noBaseline.reason).toContain("no data for the previous deployment's P95 baseline");
  });

  it('broken rate limiting fires', () => {
    expect(once({ ...healthy, rateLimitBroken: true })).toMatchObject({ verdict: 'should', rule: 'rate_limit_broken' });
  });

  it('MUST wins over SHOULD', () => {
    expect(once({ ...healthy, rateLimitBroken: true, dbWritesFailing: true }).verdict).toBe('must');
  });
});

describe('MAY, ok and no data', () => {
  it('any other firing alert is MAY', () => {
    expect(once({ ...healthy, otherAlerts: ['sentry: TypeError in PatientView'] })).toMatchObject({
      verdict: 'may',
      rule: 'other_alerts',
    });
  });

  it('no data at all is inconclusive, never a reason to roll back', () => {
    const result = once({});
    expect(result.verdict).toBe('inconclusive');
    expect(result.reason).toMatch(/inconclusive, which is never on its own a reason to roll back/);
    expect(evaluate(INITIAL_TRIGGER_STATE, [], RUNBOOK_TRIGGERS).verdict).toBe('inconclusive');
  });

  it('healthy measurements are ok', () => {
    expect(once(healthy)).toMatchObject({ verdict: 'ok' });
  });
});

describe('signals into samples', () => {
  it('a plain-text "sign-in returns 500" report is MUST', () => {
    const signals =
      parseAlertMessage(personSays('dr-amal-clinical-os: sign-in returns 500'), SERVICES, at(0))?.signals ?? [];
    expect(once(sampleFromSignals(sample(), signals))).toMatchObject({ verdict: 'must', rule: 'auth_broken' });
  });

  it('an auth alert with a partial failure rate is a feature error rate, not auth completely broken', () => {
    const partial = sampleFromSignals(sample(healthy), [signal({ kind: 'auth_broken', value: 0.3 })]);
    expect(once(partial)).toMatchObject({ verdict: 'should', rule: 'feature_error_rate' });
  });

  it('5xx alerts feed the consecutive count with their value; without a value they are MAY', () => {
    const withValue = sampleFromSignals(sample({ fiveXxRate: 0.02 }), [signal({ value: 0.6 })]);
    expect(withValue.fiveXxRate).toBe(0.6);
    expect(once(sampleFromSignals(sample(), [signal()]))).toMatchObject({ verdict: 'may' });
  });

  it('a non-critical vulnerability is MAY; a critical one MUST; resolved signals count for nothing', () => {
    expect(
      once(sampleFromSignals(sample(), [signal({ kind: 'security_vulnerability', severity: 'high' })])).verdict,
    ).toBe('may');
    expect(
      once(sampleFromSignals(sample(), [signal({ kind: 'security_vulnerability', severity: 'critical' })])).verdict,
    ).toBe('must');
    expect(once(sampleFromSignals(sample(), [signal({ kind: 'db_writes_failing', firing: false })])).verdict).toBe(
      'inconclusive',
    );
  });

  it('only probe latencies become P95 figures', () => {
    const fromProbe = sampleFromSignals(sample({ baselineP95Ms: 200 }), [
      signal({ kind: 'p95_latency', value: 900, source: 'probe' }),
    ]);
    expect(once(fromProbe)).toMatchObject({ verdict: 'should', rule: 'p95_latency' });
    const fromAlert = sampleFromSignals(sample({ baselineP95Ms: 200 }), [signal({ kind: 'p95_latency', value: 0.9 })]);
    expect(fromAlert.p95Ms).toBeUndefined();
    expect(once(fromAlert).verdict).toBe('may');
  });
});

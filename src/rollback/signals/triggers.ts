/**
 * The runbook's "Rollback Triggers", evaluated once per interval
 * (triggers.evaluationIntervalSeconds) over what the probes measured and the
 * alerts said. MUST: auth completely broken and database writes failing (an
 * alert declaring it, or probeFailuresMust consecutive failed probe runs; one
 * failed run is a MAY while it builds), 5xx rate above fiveXxRateMust for more
 * than fiveXxMustForSeconds (consecutive intervals), a critical security
 * vulnerability declared. SHOULD: a feature's
 * error rate above featureErrorRateShould, P95 more than p95DegradationShould
 * above the previous deployment's baseline, rate limiting broken. MAY:
 * everything else. Missing data is "inconclusive": it never fires a rule, it
 * neither advances nor resets the 5xx count.
 */
import type { TriggerSettings } from '../../config/service-schema';

export type Verdict = 'must' | 'should' | 'may' | 'inconclusive' | 'ok';
export type TriggerRule =
  | 'auth_broken'
  | 'db_writes_failing'
  | 'five_xx_rate'
  | 'security_vulnerability'
  | 'feature_error_rate'
  | 'p95_latency'
  | 'rate_limit_broken'
  | 'other_alerts';

/** What one interval measured; undefined means "no data", never "fine". */
export interface IntervalSample {
  at: Date;
  fiveXxRate?: number;
  featureErrorRates?: ReadonlyArray<{ feature?: string; rate: number }>;
  p95Ms?: number;
  /** The previous deployment's P95, recorded while it served. */
  baselineP95Ms?: number;
  /** An alert declares auth completely broken: counts at once. */
  authBroken?: boolean;
  /** An alert declares database writes failing: counts at once. */
  dbWritesFailing?: boolean;
  /** Consecutive probe runs, up to this interval's, whose sign-in smoke test failed (0: it passed). */
  authFailedRuns?: number;
  /** Consecutive probe runs, up to this interval's, whose database write probe failed (0: it passed). */
  dbWriteFailedRuns?: number;
  rateLimitBroken?: boolean;
  criticalVulnerability?: boolean;
  /** Firing alerts no rule above covers: each is a MAY, for judgement. */
  otherAlerts?: readonly string[];
}

export interface TriggerState {
  /** Consecutive intervals with the 5xx rate above the MUST threshold. */
  fiveXxIntervals: number;
}

export const INITIAL_TRIGGER_STATE: TriggerState = Object.freeze({ fiveXxIntervals: 0 });

type FindingStatus = 'fires' | 'building' | 'clear' | 'no_data';

interface Finding {
  rule: TriggerRule;
  level: 'must' | 'should' | 'may';
  status: FindingStatus;
  detail: string;
}

export interface Evaluation {
  verdict: Verdict;
  reason: string;
  /** The rule behind a must/should/may verdict. */
  rule?: TriggerRule;
  findings: Finding[];
  state: TriggerState;
}

const pct = (rate: number): string => `${Math.round(rate * 1000) / 10}%`;

/** ">25% for >2 minutes" at 30 s intervals needs 5 breaching intervals: 4 cover exactly 2 minutes. */
export function fiveXxIntervalsNeeded(settings: TriggerSettings): number {
  return Math.floor(settings.fiveXxMustForSeconds / settings.evaluationIntervalSeconds) + 1;
}

function flag(
  rule: TriggerRule,
  level: Finding['level'],
  value: boolean | undefined,
  fires: string,
  clear: string,
): Finding {
  if (value === undefined) return { rule, level, status: 'no_data', detail: `no data for ${rule.replace(/_/g, ' ')}` };
  return { rule, level, status: value ? 'fires' : 'clear', detail: value ? fires : clear };
}

/**
 * Auth or writes: an alert's declaration fires at once; the probes' failures
 * fire once probeFailuresMust runs in a row failed, and build (MAY) before.
 */
function probeConfirmed(
  rule: 'auth_broken' | 'db_writes_failing',
  declared: boolean | undefined,
  failedRuns: number | undefined,
  settings: TriggerSettings,
  words: { fires: string; clear: string; probe: string },
): Finding {
  if (declared === true) return { rule, level: 'must', status: 'fires', detail: words.fires };
  if (failedRuns === undefined) return flag(rule, 'must', declared, words.fires, words.clear);
  if (failedRuns === 0) return { rule, level: 'must', status: 'clear', detail: words.clear };
  const needed = settings.probeFailuresMust;
  const runs = `${words.probe} failed in ${failedRuns} consecutive run${failedRuns === 1 ? '' : 's'}`;
  return failedRuns >= needed
    ? { rule, level: 'must', status: 'fires', detail: `${words.fires} (${runs})` }
    : { rule, level: 'may', status: 'building', detail: `${runs}; MUST once it fails ${needed} runs in a row` };
}

function fiveXx(
  sample: IntervalSample,
  state: TriggerState,
  settings: TriggerSettings,
): { finding: Finding; state: TriggerState } {
  const rate = sample.fiveXxRate;
  if (rate === undefined) {
    return {
      finding: { rule: 'five_xx_rate', level: 'must', status: 'no_data', detail: 'no data for the 5xx rate' },
      state,
    };
  }
  if (rate <= settings.fiveXxRateMust) {
    const detail = `5xx rate ${pct(rate)} is within ${pct(settings.fiveXxRateMust)}`;
    return { finding: { rule: 'five_xx_rate', level: 'must', status: 'clear', detail }, state: { fiveXxIntervals: 0 } };
  }
  const intervals = state.fiveXxIntervals + 1;
  const seconds = intervals * settings.evaluationIntervalSeconds;
  const over =
    `5xx rate ${pct(rate)} above ${pct(settings.fiveXxRateMust)} for ${seconds}s ` +
    `(${intervals} consecutive intervals)`;
  const sustained = intervals >= fiveXxIntervalsNeeded(settings);
  const finding: Finding = sustained
    ? {
        rule: 'five_xx_rate',
        level: 'must',
        status: 'fires',
        detail: `${over}, longer than ${settings.fiveXxMustForSeconds}s`,
      }
    : {
        rule: 'five_xx_rate',
        level: 'may',
        status: 'building',
        detail: `${over}; MUST once it lasts more than ${settings.fiveXxMustForSeconds}s`,
      };
  return { finding, state: { fiveXxIntervals: intervals } };
}

function featureErrors(sample: IntervalSample, settings: TriggerSettings): Finding {
  const rates = sample.featureErrorRates;
  if (rates === undefined || rates.length === 0) {
    return {
      rule: 'feature_error_rate',
      level: 'should',
      status: 'no_data',
      detail: 'no data for feature error rates',
    };
  }
  const worst = rates.reduce((a, b) => (b.rate > a.rate ? b : a));
  const name = worst.feature ? `feature "${worst.feature}"` : 'a feature';
  return worst.rate > settings.featureErrorRateShould
    ? {
        rule: 'feature_error_rate',
        level: 'should',
        status: 'fires',
        detail: `${name} has a ${pct(worst.rate)} error rate, above ${pct(settings.featureErrorRateShould)}`,
      }
    : {
        rule: 'feature_error_rate',
        level: 'should',
        status: 'clear',
        detail: `feature error rates at most ${pct(worst.rate)}`,
      };
}

function latency(sample: IntervalSample, settings: TriggerSettings): Finding {
  const { p95Ms, baselineP95Ms } = sample;
  if (p95Ms === undefined || baselineP95Ms === undefined || baselineP95Ms <= 0) {
    const missing = p95Ms === undefined ? 'P95 latency' : "the previous deployment's P95 baseline";
    return { rule: 'p95_latency', level: 'should', status: 'no_data', detail: `no data for ${missing}` };
  }
  const limit = baselineP95Ms * (1 + settings.p95DegradationShould);
  const change = `P95 ${Math.round(p95Ms)} ms against a baseline of ${Math.round(baselineP95Ms)} ms`;
  return p95Ms > limit
    ? {
        rule: 'p95_latency',
        level: 'should',
        status: 'fires',
        detail: `${change}: more than ${pct(settings.p95DegradationShould)} slower`,
      }
    : { rule: 'p95_latency', level: 'should', status: 'clear', detail: change };
}

function judge(findings: Finding[], state: TriggerState): Evaluation {
  const firing = findings.filter((f) => f.status === 'fires' || f.status === 'building');
  for (const level of ['must', 'should', 'may'] as const) {
    const hits = firing.filter((f) => f.level === level);
    const first = hits[0];
    if (first)
      return { verdict: level, rule: first.rule, reason: hits.map((f) => f.detail).join('; '), findings, state };
  }
  const measured = findings.filter((f) => f.status === 'clear');
  const missing = findings.filter((f) => f.status === 'no_data').map((f) => f.detail);
  if (measured.length === 0) {
    return {
      verdict: 'inconclusive',
      reason:
        `No data from any check ` +
        `(${missing.length > 0 ? missing.join('; ') : 'no samples'}): inconclusive, which ` +
        `is never on its own a reason to roll back.`,
      findings,
      state,
    };
  }
  const gaps = missing.length > 0 ? ` (${missing.join('; ')})` : '';
  return { verdict: 'ok', reason: `No trigger fired${gaps}.`, findings, state };
}

function evaluateOne(state: TriggerState, sample: IntervalSample, settings: TriggerSettings): Evaluation {
  const five = fiveXx(sample, state, settings);
  const findings: Finding[] = [
    probeConfirmed('auth_broken', sample.authBroken, sample.authFailedRuns, settings, {
      fires: 'auth completely broken: users cannot sign in',
      clear: 'sign-in works',
      probe: 'the sign-in smoke test',
    }),
    probeConfirmed('db_writes_failing', sample.dbWritesFailing, sample.dbWriteFailedRuns, settings, {
      fires: 'database writes failing: data cannot be saved',
      clear: 'database writes succeed',
      probe: 'the database write probe',
    }),
    five.finding,
    featureErrors(sample, settings),
    latency(sample, settings),
    flag(
      'rate_limit_broken',
      'should',
      sample.rateLimitBroken,
      'rate limiting broken: open to abuse (DDoS)',
      'rate limiting works',
    ),
  ];
  // Only a declaration counts here; the absence of one is not missing data.
  if (sample.criticalVulnerability) {
    findings.push({
      rule: 'security_vulnerability',
      level: 'must',
      status: 'fires',
      detail: 'critical security vulnerability declared',
    });
  }
  for (const alert of sample.otherAlerts ?? []) {
    findings.push({ rule: 'other_alerts', level: 'may', status: 'fires', detail: alert });
  }
  return judge(findings, five.state);
}

/**
 * Evaluates the intervals in order (oldest first) and returns the verdict for
 * the last one with the state to pass in next time.
 */
export function evaluate(
  state: TriggerState,
  samples: IntervalSample | readonly IntervalSample[],
  settings: TriggerSettings,
): Evaluation {
  const list: readonly IntervalSample[] = Array.isArray(samples) ? samples : [samples as IntervalSample];
  let current = state;
  let result: Evaluation | undefined;
  for (const sample of list) {
    result = evaluateOne(current, sample, settings);
    current = result.state;
  }
  return result ?? judge([], state);
}

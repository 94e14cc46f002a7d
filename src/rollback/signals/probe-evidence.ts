/**
 * What the bot's own probes say about one evaluation interval, in the terms
 * of the runbook's "Rollback Triggers": auth completely broken (the sign-in
 * smoke test), database writes failing (the write probe), the share of probe
 * requests answered 5xx, and P95 latency against the previous deployment's.
 * Sign-in and write failures are counted over consecutive runs (the rules
 * want triggers.probeFailuresMust of them), so one failed run is not "auth
 * completely broken". Pure arithmetic over results already read; a field is
 * left out when the probes had no data for it, which the rules read as "no
 * data", never "fine".
 */
import type { IntervalSample } from './triggers';

export type ProbeEvidence = Omit<
  IntervalSample,
  | 'at'
  | 'otherAlerts'
  | 'criticalVulnerability'
  | 'authBroken'
  | 'dbWritesFailing'
  | 'rateLimitBroken'
  | 'featureErrorRates'
>;

/** One probe check as recorded: health, version, smoke:<name> or db_write. */
export interface ProbeObservation {
  readonly check: string;
  /** False when the check could not be made (the bot's setup, not production): not evidence. */
  readonly ran: boolean;
  readonly ok: boolean;
  readonly signIn: boolean;
  /** HTTP status; undefined when no answer came (timeout, refused) or for db_write. */
  readonly status?: number;
  /** The run's stamp (its cron slot): the checks of one run share it. Absent: the list is one run. */
  readonly at?: Date;
  /** The deployment the run's version check identified, if it did. */
  readonly deploymentId?: string;
}

interface ProbeEvidenceInput {
  /** Every check recorded in the interval. */
  readonly window: readonly ProbeObservation[];
  /** Checks of the runs before the interval, far enough back for the consecutive-failure counts. */
  readonly earlier?: readonly ProbeObservation[];
  /** Since when the probes have known a deployment of the service; undefined: none yet. */
  readonly deploymentSeenSince?: Date;
  /** Latencies (ms) of the serving deployment's latest successful HTTP checks, up to P95_SAMPLES. */
  readonly currentLatencies: readonly number[];
  /** Latencies (ms) of the previous deployment's successful HTTP checks while it served. */
  readonly previousLatencies: readonly number[];
}

/** "Its last 20 successful samples": enough to move quickly after a deploy, not so few that one slow answer decides. */
export const P95_SAMPLES = 20;
/** Under this many samples a P95 is not worth comparing. */
const P95_MIN_SAMPLES = 5;

export const DB_WRITE_CHECK = 'db_write';

/** Nearest-rank percentile (p in 0..100) of the values; undefined for none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** P95 of a deployment's samples, or undefined under P95_MIN_SAMPLES of them. */
export function p95(latencies: readonly number[]): number | undefined {
  return latencies.length < P95_MIN_SAMPLES ? undefined : percentile(latencies, 95);
}

const isHttpCheck = (check: string): boolean => check !== DB_WRITE_CHECK;

/**
 * Whether a recorded check tells anything about production. One that was not
 * run does not; nor does a 404 from a run made before the probes had seen any
 * deployment of the service: the app is not there yet ("no data"), which is
 * not the same as its sign-in being broken.
 */
function isEvidence(o: ProbeObservation, deploymentSeenSince: Date | undefined): boolean {
  if (!o.ran) return false;
  if (o.status !== 404 || o.deploymentId !== undefined) return true;
  return deploymentSeenSince !== undefined && (o.at === undefined || o.at.getTime() >= deploymentSeenSince.getTime());
}

/** The runs of a list of checks, newest first. */
function runsOf(observations: readonly ProbeObservation[]): ProbeObservation[][] {
  const runs = new Map<number, ProbeObservation[]>();
  for (const o of observations) {
    const key = o.at?.getTime() ?? Number.NEGATIVE_INFINITY;
    const run = runs.get(key);
    if (run) run.push(o);
    else runs.set(key, [o]);
  }
  return [...runs.entries()].sort((a, b) => b[0] - a[0]).map(([, run]) => run);
}

/** 'failed' when every attempt in the run failed, 'passed' when one passed, undefined when none was made. */
function runOutcome(
  run: readonly ProbeObservation[],
  attempt: (o: ProbeObservation) => boolean,
): 'failed' | 'passed' | undefined {
  const attempts = run.filter(attempt);
  if (attempts.length === 0) return undefined;
  return attempts.every((a) => !a.ok) ? 'failed' : 'passed';
}

/**
 * Consecutive runs, newest first, in which the check failed every time: 0
 * when the interval's latest attempt passed, undefined when the interval had
 * no attempt (no data). Runs without an attempt are skipped, not counted.
 */
function consecutiveFailures(
  window: ProbeObservation[][],
  earlier: ProbeObservation[][],
  attempt: (o: ProbeObservation) => boolean,
): number | undefined {
  if (!window.some((run) => runOutcome(run, attempt) !== undefined)) return undefined;
  let failed = 0;
  for (const run of [...window, ...earlier]) {
    const outcome = runOutcome(run, attempt);
    if (outcome === 'passed') break;
    if (outcome === 'failed') failed += 1;
  }
  return failed;
}

export function probeEvidenceOf(input: ProbeEvidenceInput): ProbeEvidence {
  const counts = (o: ProbeObservation): boolean => isEvidence(o, input.deploymentSeenSince);
  const made = input.window.filter(counts);
  const window = runsOf(made);
  const earlier = runsOf((input.earlier ?? []).filter(counts));
  const evidence: ProbeEvidence = {};
  const authFailedRuns = consecutiveFailures(window, earlier, (o) => o.signIn);
  if (authFailedRuns !== undefined) evidence.authFailedRuns = authFailedRuns;
  const dbWriteFailedRuns = consecutiveFailures(window, earlier, (o) => o.check === DB_WRITE_CHECK);
  if (dbWriteFailedRuns !== undefined) evidence.dbWriteFailedRuns = dbWriteFailedRuns;
  // Only answered requests tell a 5xx share: a request that got no answer at all is not a "non-5xx" one.
  const answered = made.filter((o) => isHttpCheck(o.check) && o.status !== undefined);
  if (answered.length > 0)
    evidence.fiveXxRate = answered.filter((o) => (o.status ?? 0) >= 500).length / answered.length;
  const current = p95(input.currentLatencies.slice(0, P95_SAMPLES));
  if (current !== undefined) evidence.p95Ms = current;
  const baseline = p95(input.previousLatencies);
  if (baseline !== undefined) evidence.baselineP95Ms = baseline;
  return evidence;
}

const SIGN_IN_NAME = /sign[-_ ]?in|log[-_ ]?in|auth/i;

/** The smoke test that signs in: marked signIn: true, or named like one unless marked false. */
export function isSignInTest(test: { readonly name: string; readonly signIn?: boolean }): boolean {
  return test.signIn ?? SIGN_IN_NAME.test(test.name);
}

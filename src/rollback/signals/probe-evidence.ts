/**
 * What the bot's own probes say about one evaluation interval, in the terms
 * of the runbook's "Rollback Triggers": auth completely broken (the sign-in
 * smoke test), database writes failing (the write probe), the share of probe
 * requests answered 5xx, and P95 latency against the previous deployment's.
 * Pure arithmetic over results already read; a field is left out when the
 * probes had no data for it, which the rules read as "no data", never "fine".
 */
import type { IntervalSample } from './triggers';

export type ProbeEvidence = Omit<IntervalSample, 'at' | 'otherAlerts' | 'criticalVulnerability'>;

/** One probe check as recorded: health, version, smoke:<name> or db_write. */
export interface ProbeObservation {
  readonly check: string;
  /** False when the check could not be made (the bot's setup, not production): not evidence. */
  readonly ran: boolean;
  readonly ok: boolean;
  readonly signIn: boolean;
  /** HTTP status; undefined when no answer came (timeout, refused) or for db_write. */
  readonly status?: number;
}

export interface ProbeEvidenceInput {
  /** Every check recorded in the interval. */
  readonly window: readonly ProbeObservation[];
  /** Latencies (ms) of the serving deployment's latest successful HTTP checks, up to P95_SAMPLES. */
  readonly currentLatencies: readonly number[];
  /** Latencies (ms) of the previous deployment's successful HTTP checks while it served. */
  readonly previousLatencies: readonly number[];
}

/** "Its last 20 successful samples": enough to move quickly after a deploy, not so few that one slow answer decides. */
export const P95_SAMPLES = 20;
/** Under this many samples a P95 is not worth comparing. */
export const P95_MIN_SAMPLES = 5;

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

/** true when every attempt failed, false when one passed, undefined when none was made. */
function failedEveryTime(attempts: readonly ProbeObservation[]): boolean | undefined {
  if (attempts.length === 0) return undefined;
  return attempts.every((a) => !a.ok);
}

export const isHttpCheck = (check: string): boolean => check !== DB_WRITE_CHECK;

export function probeEvidenceOf(input: ProbeEvidenceInput): ProbeEvidence {
  const made = input.window.filter((o) => o.ran);
  const evidence: ProbeEvidence = {};
  const authBroken = failedEveryTime(made.filter((o) => o.signIn));
  if (authBroken !== undefined) evidence.authBroken = authBroken;
  const dbWritesFailing = failedEveryTime(made.filter((o) => o.check === DB_WRITE_CHECK));
  if (dbWritesFailing !== undefined) evidence.dbWritesFailing = dbWritesFailing;
  // Only answered requests tell a 5xx share: a request that got no answer at all is not a "non-5xx" one.
  const answered = made.filter((o) => isHttpCheck(o.check) && o.status !== undefined);
  if (answered.length > 0) evidence.fiveXxRate = answered.filter((o) => (o.status ?? 0) >= 500).length / answered.length;
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

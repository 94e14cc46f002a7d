/**
 * The progressive rollout's figures over a period, one function each, so the
 * thread, /rollback stats and the drill show the same numbers: how many
 * releases started, how many were aborted, and how much of production traffic
 * the aborted ones had exposed (the runbook's "blast radius").
 */
interface ReleaseFacts {
  readonly startedAt: Date;
  readonly state: string;
  /** Share of traffic (0-100) on the canary when it was aborted. */
  readonly abortedAtPercent?: number | undefined;
}

const inPeriod = (r: ReleaseFacts, from: Date, to: Date): boolean => r.startedAt >= from && r.startedAt < to;

export function releaseCount(releases: readonly ReleaseFacts[], from: Date, to: Date): number {
  return releases.filter((r) => inPeriod(r, from, to)).length;
}

export function releaseAborts(releases: readonly ReleaseFacts[], from: Date, to: Date): number {
  return releases.filter((r) => inPeriod(r, from, to) && (r.state === 'aborted' || r.state === 'aborting')).length;
}

/** The mean and the largest share of traffic the aborted releases had exposed; undefined without an abort. */
export function trafficExposedAtAbort(
  releases: readonly ReleaseFacts[],
  from: Date,
  to: Date,
): { readonly meanPercent: number; readonly maxPercent: number; readonly aborts: number } | undefined {
  const shares = releases
    .filter((r) => inPeriod(r, from, to) && r.abortedAtPercent !== undefined)
    .map((r) => r.abortedAtPercent as number);
  if (shares.length === 0) return undefined;
  const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
  return { meanPercent: Math.round(mean * 10) / 10, maxPercent: Math.max(...shares), aborts: shares.length };
}

/** One line for /rollback stats and App Home. */
export function releaseMetricsLine(releases: readonly ReleaseFacts[], from: Date, to: Date): string {
  const started = releaseCount(releases, from, to);
  if (started === 0) return 'Progressive rollouts: none in this period.';
  const aborts = releaseAborts(releases, from, to);
  const exposed = trafficExposedAtAbort(releases, from, to);
  const share = exposed
    ? `; traffic exposed at abort: ${exposed.meanPercent}% on average, ${exposed.maxPercent}% at most`
    : '';
  return `Progressive rollouts: ${started} started, ${aborts} aborted${share}.`;
}

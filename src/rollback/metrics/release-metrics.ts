/**
 * The progressive rollout's figures over a period, one function each, so
 * /rollback stats, the Prometheus gauges on /metrics and App Home show the
 * same numbers (all through `measureReleases`): how many releases started, how
 * many were aborted, and how much of production traffic the aborted ones had
 * exposed (the runbook's "blast radius").
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

export interface ReleaseFigures {
  readonly from: Date;
  readonly to: Date;
  readonly started: number;
  readonly aborted: number;
  /** Absent without an abort in the period. */
  readonly exposed?: { readonly meanPercent: number; readonly maxPercent: number };
}

export function releaseFigures(releases: readonly ReleaseFacts[], from: Date, to: Date): ReleaseFigures {
  const exposed = trafficExposedAtAbort(releases, from, to);
  return {
    from,
    to,
    started: releaseCount(releases, from, to),
    aborted: releaseAborts(releases, from, to),
    ...(exposed ? { exposed: { meanPercent: exposed.meanPercent, maxPercent: exposed.maxPercent } } : {}),
  };
}

/** Where the releases are read from (the release store). */
export interface ReleaseFactsSource {
  since(since: Date, service?: string): Promise<readonly ReleaseFacts[]>;
}

/** The figures every surface shows, over the rollback metrics' period (`from`, `to`); all services without one. */
export async function measureReleases(
  source: ReleaseFactsSource,
  options: { readonly service?: string | undefined; readonly from: Date; readonly to: Date },
): Promise<ReleaseFigures> {
  return releaseFigures(await source.since(options.from, options.service), options.from, options.to);
}

/** One line for /rollback stats and App Home. */
export function releaseMetricsLine(figures: ReleaseFigures): string {
  if (figures.started === 0) return 'Progressive rollouts: none in this period.';
  const share = figures.exposed
    ? `; traffic exposed at abort: ${figures.exposed.meanPercent}% on average, ${figures.exposed.maxPercent}% at most`
    : '';
  return `Progressive rollouts: ${figures.started} started, ${figures.aborted} aborted${share}.`;
}

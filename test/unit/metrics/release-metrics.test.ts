import {
  releaseAborts,
  releaseCount,
  releaseFigures,
  releaseMetricsLine,
  trafficExposedAtAbort,
} from '../../../src/rollback/metrics/release-metrics';

const from = new Date('2026-01-01T00:00:00Z');
const to = new Date('2026-02-01T00:00:00Z');
const at = (day: number) => new Date(Date.UTC(2026, 0, day));

describe('progressive rollout metrics', () => {
  const releases = [
    { startedAt: at(2), state: 'completed' },
    { startedAt: at(5), state: 'aborted', abortedAtPercent: 10 },
    { startedAt: at(9), state: 'aborted', abortedAtPercent: 50 },
    { startedAt: at(12), state: 'watching' },
    { startedAt: new Date('2025-12-30T00:00:00Z'), state: 'aborted', abortedAtPercent: 100 },
  ];

  it('counts the releases and aborts of the period and the traffic share exposed at abort', () => {
    expect(releaseCount(releases, from, to)).toBe(4);
    expect(releaseAborts(releases, from, to)).toBe(2);
    expect(trafficExposedAtAbort(releases, from, to)).toEqual({ meanPercent: 30, maxPercent: 50, aborts: 2 });
    expect(releaseFigures(releases, from, to)).toEqual({
      from,
      to,
      started: 4,
      aborted: 2,
      exposed: { meanPercent: 30, maxPercent: 50 },
    });
    expect(releaseMetricsLine(releaseFigures(releases, from, to))).toBe(
      'Progressive rollouts: 4 started, 2 aborted; traffic exposed at abort: 30% on average, 50% at most.',
    );
  });

  it('says so when there was no release or no abort', () => {
    expect(releaseMetricsLine(releaseFigures([], from, to))).toBe('Progressive rollouts: none in this period.');
    expect(trafficExposedAtAbort(releases.slice(0, 1), from, to)).toBeUndefined();
    expect(releaseMetricsLine(releaseFigures(releases.slice(0, 1), from, to))).toBe(
      'Progressive rollouts: 1 started, 0 aborted.',
    );
  });
});

/**
 * The runbook's per-incident metrics on known timelines, dated from evidence:
 * the episode's detection and start of impact from the rule that fired (its
 * own alerts, with and without startsAt, or the probes after go-live), then
 * the one computation every surface reads (incidentTimes + incidentFigures).
 */
import { episodeTimes, detectedFromWords } from '../../../src/rollback/detection/episode-evidence';
import { incidentWords } from '../../../src/rollback/detection/describe';
import { dataLossWords, incidentFigures, incidentTimes } from '../../../src/rollback/metrics/incident-times';
import type { IncidentRecord } from '../../../src/rollback/ports/incident-store';
import type { AlertState } from '../../../src/rollback/detection/alert-state';

const GO_LIVE = new Date('2026-01-17T14:00:00Z');
const s = (seconds: number): Date => new Date(GO_LIVE.getTime() + seconds * 1000);

type Alert = Pick<AlertState, 'source' | 'kind' | 'summary' | 'firstSeenAt' | 'startedAt'>;
const fiveXx = (over: Partial<Alert> = {}): Alert => ({
  source: 'alertmanager',
  kind: 'five_xx_rate',
  summary: 'HighHttp5xxRate (dr-amal-clinical-os critical)',
  firstSeenAt: s(11),
  ...over,
});
const unrelated: Alert = {
  source: 'grafana',
  kind: 'p95_latency',
  summary: 'SlowCheckout',
  firstSeenAt: s(-600),
  startedAt: s(-900),
};

function record(episode: ReturnType<typeof episodeTimes>, over: Partial<IncidentRecord> = {}): IncidentRecord {
  return {
    id: 'INC-T',
    service: 'dr-amal-clinical-os',
    state: 'resolved',
    issue: 'broken',
    trigger: 't',
    openedAt: episode.detectedAt,
    detectedAt: episode.detectedAt,
    impactStartedAt: episode.impactStartedAt,
    decidedAt: episode.detectedAt,
    restoredAt: s(12 * 60),
    data: {
      request: { kind: 'application' },
      requestedBy: 'alert:alertmanager',
      owner: 'U0DEVOPS1',
      evidence: episode.evidence,
    },
    ...over,
  };
}

describe('dating an episode from the rule that fired', () => {
  it(
    'impact that began at go-live (the first probe after it already failed): detected ' +
      'when the rule fired, downtime at least the detection delay',
    () => {
      const episode = episodeTimes({
        rule: 'five_xx_rate',
        alerts: [fiveXx(), unrelated],
        goLiveAt: GO_LIVE,
        probeRuns: [
          { at: s(-5), failing: false },
          { at: s(5), failing: true },
          { at: s(10), failing: true },
        ],
        now: s(15),
      });
      expect(episode).toEqual({
        detectedAt: s(15),
        impactStartedAt: GO_LIVE,
        evidence: { impact: 'go_live', detectedFrom: 'Alertmanager HighHttp5xxRate' },
      });
      const restoredSoon = record(episode, { restoredAt: s(20), decidedAt: s(15) });
      const figures = incidentFigures(incidentTimes(restoredSoon, { deployedAt: GO_LIVE }));
      expect(figures.detection).toEqual({
        value: 15,
        from: 'deployment went live → detected from Alertmanager HighHttp5xxRate',
      });
      expect(figures.downtime?.value).toBe(20);
      expect(figures.downtime?.value).toBeGreaterThanOrEqual(figures.detection?.value ?? Infinity);
      expect(figures.downtime?.from).toMatch(/^impact started \(the deployment going live/);
      expect(figures.execution).toEqual({ value: 5, from: 'rollback decided → production restored' });
    },
  );

  it('a more exact go-live learned later (Vercel READY) moves an impact that began at go-live with it', () => {
    const episode = episodeTimes({
      rule: 'five_xx_rate',
      alerts: [fiveXx()],
      goLiveAt: GO_LIVE,
      probeRuns: [{ at: s(5), failing: true }],
      now: s(15),
    });
    const figures = incidentFigures(incidentTimes(record(episode), { deployedAt: s(-3) }));
    expect(figures.detection?.value).toBe(18);
    expect(figures.downtime?.value).toBe(12 * 60 + 3);
  });

  it('uses the alert’s startsAt when it is the earliest evidence, and ignores alerts of other rules', () => {
    const episode = episodeTimes({
      rule: 'five_xx_rate',
      alerts: [fiveXx({ startedAt: s(2) }), unrelated],
      goLiveAt: GO_LIVE,
      probeRuns: [
        { at: s(5), failing: false },
        { at: s(10), failing: true },
      ],
      now: s(15),
    });
    expect(episode).toEqual({
      detectedAt: s(15),
      impactStartedAt: s(2),
      evidence: { impact: 'alert_starts_at', detectedFrom: 'Alertmanager HighHttp5xxRate' },
    });
  });

  it(
    'without startsAt, the first failing probe after go-live dates the impact when it ' + 'is earlier than the alert',
    () => {
      const episode = episodeTimes({
        rule: 'five_xx_rate',
        alerts: [fiveXx({ firstSeenAt: s(40) })],
        goLiveAt: GO_LIVE,
        probeRuns: [
          { at: s(5), failing: false },
          { at: s(10), failing: true },
        ],
        now: s(45),
      });
      expect(episode).toMatchObject({
        detectedAt: s(45),
        impactStartedAt: s(10),
        evidence: { impact: 'first_failing_probe' },
      });
    },
  );

  it('without startsAt or failing probes, the alert’s first notification is the start, and says so', () => {
    const episode = episodeTimes({
      rule: 'five_xx_rate',
      alerts: [fiveXx()],
      goLiveAt: GO_LIVE,
      probeRuns: [{ at: s(5), failing: false }],
      now: s(15),
    });
    expect(episode).toMatchObject({
      detectedAt: s(15),
      impactStartedAt: s(11),
      evidence: { impact: 'alert_notification' },
    });
    expect(incidentTimes(record(episode)).impactFrom).toBe("the alert's first notification (it gave no startsAt)");
  });

  it(
    'probes alone: detected when the sign-in rule fired, from the sign-in probe, ' +
      'impact at go-live when it failed from the first run',
    () => {
      const runs = [0, 30, 60].map((t) => ({ at: s(t + 1), failing: true }));
      const episode = episodeTimes({
        rule: 'auth_broken',
        alerts: [unrelated],
        goLiveAt: GO_LIVE,
        probeRuns: runs,
        now: s(62),
      });
      expect(episode).toEqual({
        detectedAt: s(62),
        impactStartedAt: GO_LIVE,
        evidence: { impact: 'go_live', detectedFrom: 'the sign-in probe' },
      });
      const figures = incidentFigures(incidentTimes(record(episode, { restoredAt: s(90) }), { deployedAt: GO_LIVE }));
      expect(figures.detection?.value).toBe(62);
      expect(figures.downtime?.value).toBe(90);
    },
  );

  it('names only the firing rule’s own evidence in the trigger, never every firing alert’s source', () => {
    expect(detectedFromWords('five_xx_rate', [fiveXx(), unrelated])).toBe('Alertmanager HighHttp5xxRate');
    expect(detectedFromWords('auth_broken', [fiveXx(), unrelated])).toBe('the sign-in probe');
    expect(detectedFromWords('db_writes_failing', [])).toBe('the database write probe');
    expect(
      incidentWords({ verdict: 'must', rule: 'five_xx_rate', reason: '5xx 37%' }, 'Alertmanager HighHttp5xxRate')
        .trigger,
    ).toBe('MUST roll back: 5xx error rate (detected from Alertmanager HighHttp5xxRate)');
  });
});

describe('data loss at the time of asking', () => {
  const schema = record(episodeTimes({ rule: 'five_xx_rate', alerts: [fiveXx()], now: s(15) }));
  it('counts archived values not restored, and none once restore-archive put them back (minutes later)', () => {
    const lost = incidentTimes(schema, { archives: [{ archiveTable: 'a', rows: 90, restored: false }] });
    expect(incidentFigures(lost).dataLoss).toEqual({ value: 90, from: '1 archive(s), 0 restored by restore-archive' });
    expect(dataLossWords(lost)).toBe('90 rows of data not restored yet (1 archive(s), 0 restored by restore-archive).');
    const restored = incidentTimes(schema, { archives: [{ archiveTable: 'a', rows: 90, restored: true }] });
    expect(incidentFigures(restored).dataLoss?.value).toBe(0);
    expect(dataLossWords(restored)).toMatch(/^None - all your data is safe \(measured: 0 rows lost/);
  });

  it('is not measured before production is restored', () => {
    const open = incidentTimes({ ...schema, state: 'open', restoredAt: undefined });
    expect(incidentFigures(open).dataLoss).toBeUndefined();
    expect(dataLossWords(open)).toMatch(/^Not measured yet/);
  });
});

import { incidentTimes, type IncidentTimes } from '../../../src/rollback/metrics/incident-times';
import { figure, rollbackMetrics } from '../../../src/rollback/metrics/rollback-metrics';
import type { IncidentRecord } from '../../../src/rollback/ports/incident-store';

const at = (hhmm: string, day = '2026-01-17'): Date => new Date(`${day}T${hhmm}:00Z`);

function times(over: Partial<IncidentTimes> & { id: string }): IncidentTimes {
  return {
    service: 'dr-amal-clinical-os',
    rolledBack: true,
    archives: [],
    impactFrom: 'test timeline',
    detectedFrom: 'test timeline',
    ...over,
  };
}

/** Deployed 14:00, impact 14:01, detected 14:03, decided 14:04, restored 14:07: every target met. */
const quick = times({
  id: 'inc-quick',
  deployedAt: at('14:00'),
  impactStartedAt: at('14:01'),
  detectedAt: at('14:03'),
  decidedAt: at('14:04'),
  restoredAt: at('14:07'),
});
/**
 * Deployed 09:00, detected 09:12, decided 09:20, restored 09:26, impact from 09:05: 12 min detection, 6 min execution,
 * 21 min downtime.
 */
const slow = times({
  id: 'inc-slow',
  deployedAt: at('09:00', '2026-01-20'),
  impactStartedAt: at('09:05', '2026-01-20'),
  detectedAt: at('09:12', '2026-01-20'),
  decidedAt: at('09:20', '2026-01-20'),
  restoredAt: at('09:26', '2026-01-20'),
  archives: [
    { archiveTable: 'a1', rows: 40, restored: false },
    { archiveTable: 'a2', rows: 7, restored: true },
  ],
});
const period = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-02-01T00:00:00Z') };

describe('rollback metrics on known timelines', () => {
  it('measures detection, execution, downtime and data loss of one good incident and passes every target', () => {
    const m = rollbackMetrics([quick], period);
    expect(figure(m, 'detection_time')).toMatchObject({ value: 180, samples: 1, target: '< 5 min', pass: true });
    expect(figure(m, 'execution_time')).toMatchObject({ value: 180, pass: true });
    expect(figure(m, 'downtime')).toMatchObject({ value: 360, target: '< 15 min', pass: true });
    expect(figure(m, 'data_loss')).toMatchObject({ value: 0, target: '0', pass: true });
  });

  it('reports the worst incident, the mean and who missed each target', () => {
    const m = rollbackMetrics([quick, slow], period);
    expect(figure(m, 'detection_time')).toMatchObject({ value: 720, mean: 450, pass: false, missedBy: ['inc-slow'] });
    expect(figure(m, 'execution_time')).toMatchObject({ value: 360, mean: 270, pass: false, missedBy: ['inc-slow'] });
    expect(figure(m, 'downtime')).toMatchObject({ value: 1260, mean: 810, pass: false, missedBy: ['inc-slow'] });
  });

  it('counts only archived rows that were not restored as data loss', () => {
    const m = rollbackMetrics([quick, slow], period);
    expect(figure(m, 'data_loss')).toMatchObject({ value: 40, pass: false, missedBy: ['inc-slow'] });
    const restored = times({ ...slow, archives: slow.archives.map((a) => ({ ...a, restored: true })) });
    expect(figure(rollbackMetrics([restored], period), 'data_loss')).toMatchObject({ value: 0, pass: true });
  });

  it('treats exactly 5 minutes as missing the "< 5 min" target', () => {
    const edge = times({
      id: 'inc-edge',
      deployedAt: at('10:00'),
      detectedAt: at('10:05'),
      decidedAt: at('10:05'),
      restoredAt: at('10:10'),
      impactStartedAt: at('10:00'),
    });
    const m = rollbackMetrics([edge], period);
    expect(figure(m, 'detection_time').pass).toBe(false);
    expect(figure(m, 'execution_time').pass).toBe(false);
    expect(figure(m, 'downtime')).toMatchObject({ value: 600, pass: true });
  });

  it('computes the monthly rate over calendar months: one rollback in January misses "< 1 per month"', () => {
    const one = rollbackMetrics([quick], period);
    expect(one.rollbacks).toBe(1);
    expect(figure(one, 'rollback_frequency')).toMatchObject({ value: 1, target: '< 1 per month', pass: false });
    const quarter = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z') };
    const q = rollbackMetrics([quick, slow], quarter);
    expect(figure(q, 'rollback_frequency').value).toBeCloseTo(2 / 3, 10);
    expect(figure(q, 'rollback_frequency').pass).toBe(true);
    expect(q.perMonth).toEqual({ '2026-01': 2, '2026-02': 0, '2026-03': 0 });
  });

  it('counts a partial month as the share of that month covered', () => {
    const half = { from: new Date('2026-02-15T00:00:00Z'), to: new Date('2026-03-01T00:00:00Z') };
    const feb = times({
      ...quick,
      id: 'inc-feb',
      restoredAt: new Date('2026-02-20T10:00:00Z'),
      decidedAt: new Date('2026-02-20T09:58:00Z'),
    });
    expect(figure(rollbackMetrics([feb], half), 'rollback_frequency').value).toBeCloseTo(2, 10);
  });

  it('gives rollbacks per deployment when the deployment count is known, with no runbook target', () => {
    expect(
      figure(rollbackMetrics([quick, slow], { ...period, deployments: 40 }), 'rollbacks_per_deployment'),
    ).toMatchObject({ value: 0.05, samples: 40, pass: undefined });
    expect(figure(rollbackMetrics([quick], period), 'rollbacks_per_deployment').value).toBeUndefined();
    expect(
      figure(rollbackMetrics([quick], { ...period, deployments: 0 }), 'rollbacks_per_deployment').value,
    ).toBeUndefined();
  });

  it('leaves incidents outside the period and non-rollbacks out of the rollback figures', () => {
    const december = times({
      ...quick,
      id: 'inc-dec',
      restoredAt: new Date('2025-12-31T23:59:00Z'),
      decidedAt: new Date('2025-12-31T23:50:00Z'),
    });
    const hotfixed = times({
      id: 'inc-hotfix',
      rolledBack: false,
      deployedAt: at('11:00'),
      detectedAt: at('11:02'),
      decidedAt: at('11:03'),
    });
    const m = rollbackMetrics([quick, december, hotfixed], period);
    expect(m.rollbacks).toBe(1);
    expect(figure(m, 'execution_time').samples).toBe(1);
    expect(figure(m, 'detection_time')).toMatchObject({ samples: 2, value: 180 });
    expect(figure(m, 'data_loss').samples).toBe(1);
  });

  it('says "no data" rather than pass when nothing was measured, and zero rollbacks pass the frequency target', () => {
    const m = rollbackMetrics([], period);
    expect(figure(m, 'rollback_frequency')).toMatchObject({ value: 0, pass: true });
    for (const name of ['detection_time', 'execution_time', 'downtime', 'data_loss'] as const) {
      expect(figure(m, name)).toMatchObject({ value: undefined, samples: 0, pass: undefined });
    }
  });

  it('drops a span whose end is before its start instead of reporting a negative time', () => {
    const odd = times({
      id: 'inc-odd',
      deployedAt: at('15:00'),
      detectedAt: at('14:58'),
      decidedAt: at('15:01'),
      restoredAt: at('15:03'),
      impactStartedAt: at('14:58'),
    });
    expect(figure(rollbackMetrics([odd], period), 'detection_time').samples).toBe(0);
  });

  it('rejects a period that ends before it starts and a negative deployment count', () => {
    expect(() => rollbackMetrics([], { from: period.to, to: period.from })).toThrow(/ends .* before it starts/);
    expect(() => rollbackMetrics([], { ...period, deployments: -1 })).toThrow(/whole number/);
  });
});

describe('incidentTimes from a stored incident', () => {
  const record: IncidentRecord = {
    id: 'inc-1',
    service: 'dr-amal-clinical-os',
    state: 'resolved',
    issue: 'login broken',
    trigger: 'auth 500s',
    openedAt: at('14:03'),
    decidedAt: at('14:04'),
    restoredAt: at('14:07'),
    data: { request: { kind: 'application' }, requestedBy: 'U0DEVOPS1', owner: 'U0DEVOPS1' },
  };

  it(
    'falls back to opening time for detection and impact, and marks a resolved, ' + 'restored incident as a rollback',
    () => {
      const t = incidentTimes(record, { deployedAt: at('14:00') });
      expect(t).toMatchObject({
        rolledBack: true,
        detectedAt: at('14:03'),
        impactStartedAt: at('14:03'),
        archives: [],
      });
      const m = rollbackMetrics([t], period);
      expect(figure(m, 'detection_time').value).toBe(180);
      expect(figure(m, 'downtime').value).toBe(240);
    },
  );

  it('keeps recorded impact and detection times and does not count a failed incident as a rollback', () => {
    const t = incidentTimes({ ...record, impactStartedAt: at('13:55'), detectedAt: at('14:01') });
    expect(t.impactStartedAt).toEqual(at('13:55'));
    expect(t.detectedAt).toEqual(at('14:01'));
    expect(incidentTimes({ ...record, state: 'failed', restoredAt: undefined }).rolledBack).toBe(false);
  });
});

/**
 * The runbook's "Rollback Metrics" on a known timeline, through the real store (PostgreSQL) and the real bot: the
 * arithmetic of each figure against its target, `/rollback stats [service]` over HTTP, and the Prometheus gauges on
 * /metrics. Data loss going to 0 when an archive is restored: stats-data-loss.test.ts.
 */
import { figure } from '../../src/rollback/metrics/rollback-metrics';
import { measureRollbacks } from '../../src/rollback/metrics/measure';
import type { IncidentStore } from '../../src/rollback/ports/incident-store';
import type { TestBot } from '../support/bot';
import { NOW, OTHER, SERVICE, t, useStatsWorld } from './stats-support';

describe('rollback metrics against the runbook targets', () => {
  const world = useStatsWorld();
  let bot: TestBot;
  let store: IncidentStore;
  beforeAll(() => {
    ({ bot, store } = world);
  });

  it('computes each figure of one service from the known timeline', async () => {
    const metrics = await measureRollbacks(store, { service: SERVICE, at: t(NOW) });
    expect(metrics.from.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(metrics.rollbacks).toBe(2);
    expect(metrics.perMonth).toEqual({ '2026-01': 2 });
    // January from the 2nd: 30 of its 31 days.
    expect(figure(metrics, 'rollback_frequency')).toMatchObject({ pass: false, target: '< 1 per month', samples: 2 });
    expect(figure(metrics, 'rollback_frequency').value).toBeCloseTo((2 * 31) / 30, 12);
    expect(figure(metrics, 'rollbacks_per_deployment')).toMatchObject({ value: 2 / 4, samples: 4, pass: undefined });
    expect(figure(metrics, 'detection_time')).toMatchObject({
      value: 600,
      mean: 300,
      samples: 3,
      pass: false,
      missedBy: ['INC-B'],
    });
    expect(figure(metrics, 'execution_time')).toMatchObject({
      value: 540,
      mean: 390,
      samples: 2,
      pass: false,
      missedBy: ['INC-B'],
    });
    // Exactly 15 minutes misses "< 15 min".
    expect(figure(metrics, 'downtime')).toMatchObject({
      value: 900,
      mean: 630,
      samples: 2,
      pass: false,
      missedBy: ['INC-B'],
    });
    expect(figure(metrics, 'data_loss')).toMatchObject({
      value: 42,
      mean: 21,
      samples: 2,
      pass: false,
      missedBy: ['INC-B'],
    });
  });

  it('counts every service together when none is named', async () => {
    const metrics = await measureRollbacks(store, { at: t(NOW) });
    expect(metrics.rollbacks).toBe(3);
    expect(figure(metrics, 'execution_time')).toMatchObject({ value: 540, samples: 3 });
    const other = await measureRollbacks(store, { service: OTHER, at: t(NOW) });
    expect(figure(other, 'execution_time')).toMatchObject({ value: 120, pass: true });
    expect(figure(other, 'detection_time')).toMatchObject({ value: undefined, pass: undefined });
  });

  it('/rollback stats answers each figure against its target with pass or fail and the period', async () => {
    const reply = (await bot.sender.slashCommand({ text: `stats ${SERVICE}`, userId: 'U0NOBODY1' })).json() as {
      response_type: string;
      text: string;
      blocks: unknown[];
    };
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toContain(
      'Rollback metrics of Dr Amal Clinical OS (dr-amal-clinical-os) (Jan 1, 2026, 7:00 ' +
        'PM ET to Jan 31, 2026, 7:00 PM ET): 2 rollbacks. 5 of 5 judged targets missed.',
    );
    const body = JSON.stringify(reply.blocks);
    expect(body).toContain('❌ *Rollback frequency*: 2.07 per month (target &lt; 1 per month, 2 rollbacks)');
    expect(body).toContain(
      '➖ *Rollbacks per deployment*: 0.5 per deployment (no target in the runbook, 4 deployments)',
    );
    expect(body).toContain(
      '❌ *Detection time (deployment → detected)*: worst 10 min, mean 5 min (target ' +
        '&lt; 5 min, 3 incidents; missed by INC-B)',
    );
    expect(body).toContain('❌ *Downtime (impact start → restored)*: worst 15 min, mean 10 min 30 s');
    expect(body).toContain('worst 42 rows');

    const all = (await bot.sender.slashCommand({ text: 'stats', userId: 'U0NOBODY1' })).json() as { text: string };
    expect(all.text).toMatch(/Rollback metrics of all services .*: 3 rollbacks\./);
    const unknown = (await bot.sender.slashCommand({ text: 'stats no-such-app', userId: 'U0NOBODY1' })).json() as {
      text: string;
    };
    expect(unknown.text).toMatch(/Unknown service `no-such-app`/);
  });

  it('exposes the same figures as Prometheus gauges per service on /metrics', async () => {
    const text = await (await fetch(`${bot.baseUrl}/metrics`)).text();
    const gauge = (line: string): number =>
      Number(new RegExp(`^${line.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(gauge(`rollback_bot_rollbacks_per_month{service="${SERVICE}"}`)).toBeCloseTo((2 * 31) / 30, 4);
    expect(gauge(`rollback_bot_rollbacks_per_month{service="${OTHER}"}`)).toBeCloseTo(31 / 30, 4);
    expect(gauge(`rollback_bot_rollbacks_per_deployment{service="${SERVICE}"}`)).toBe(0.5);
    expect(gauge(`rollback_bot_detection_time_seconds{service="${SERVICE}",aggregate="worst"}`)).toBe(600);
    expect(gauge(`rollback_bot_execution_time_seconds{service="${SERVICE}",aggregate="mean"}`)).toBe(390);
    expect(gauge(`rollback_bot_downtime_seconds{service="${SERVICE}",aggregate="worst"}`)).toBe(900);
    expect(gauge(`rollback_bot_data_loss_rows{service="${SERVICE}",aggregate="worst"}`)).toBe(42);
    expect(gauge(`rollback_bot_metric_target_met{service="${SERVICE}",metric="downtime"}`)).toBe(0);
    expect(gauge(`rollback_bot_metric_target_met{service="${OTHER}",metric="execution_time"}`)).toBe(1);
    expect(gauge('rollback_bot_metric_target{metric="downtime"}')).toBe(900);
    expect(text).not.toMatch(/rollback_bot_detection_time_seconds\{service="other-app"/);
    // One unit per name, in Prometheus base units: no minutes anywhere.
    expect(text).not.toMatch(/^rollback_bot_\w*minutes/m);
  });
});

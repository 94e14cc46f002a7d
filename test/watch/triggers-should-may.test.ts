/**
 * The runbook's SHOULD and MAY trigger rules at the job level, and no data: alerts arrive through the intake (or the
 * probes' evidence, for P95), the `detect:<service>` job runs interval by interval. Autopilot is off here: SHOULD
 * opens an incident that asks Roll back / Hotfix / Monitor and pages the owner; MAY posts once for judgement; no data
 * posts nothing. MUST: triggers-must.test.ts.
 */
import { createDetection } from '../../src/watch';
import { silentLogger } from '../../src/logger';
import type { ProbeEvidence } from '../../src/probes/probe-sample';
import { createSlackNotifier } from '../../src/slack/outbox';
import { createDb } from '../../src/store/pool';
import { state, useTriggerWorld } from './triggers-support';
import { incidentsOf } from '../support/detection-world';

describe('trigger rules, interval by interval: SHOULD, MAY, no data', () => {
  const { w, alertmanager, grafana, postsAbout, expectAsked, expectNothing } = useTriggerWorld('det_triggers_should');

  it('SHOULD, a feature above 10% errors: fires, and proposes with the buttons', async () => {
    grafana('feature', {
      labels: { alertname: 'NotesErrorRate', feature: 'ai-notes' },
      annotations: { summary: 'AI notes error rate' },
      values: { B: 0.15, C: 1 },
    });
    await w().tick('feature');
    expect(await state(w(), 'feature')).toMatchObject({ last_verdict: 'should', last_rule: 'feature_error_rate' });
    await expectAsked('feature', 'should', /feature "ai-notes" has a 15% error rate/);
  });

  it('SHOULD, feature errors: do not fire at 5%', async () => {
    grafana('feature-low', { labels: { alertname: 'NotesErrorRate', feature: 'ai-notes' }, values: { B: 0.05, C: 1 } });
    await w().tick('feature-low');
    await expectNothing('feature-low', 'ok');
  });

  it('SHOULD, rate limiting broken: fires', async () => {
    alertmanager('rate-limit', {
      labels: { alertname: 'RateLimitBypassed', severity: 'high' },
      annotations: { summary: 'rate limiting not enforced on /api/auth' },
    });
    await w().tick('rate-limit');
    await expectAsked('rate-limit', 'should', /rate limiting broken/);
  });

  it('MAY, anything else: one post for judgement with "Open incident", not reposted each interval', async () => {
    alertmanager('ui-bug', {
      labels: { alertname: 'SettingsPageBroken', severity: 'warning' },
      annotations: { summary: 'UI bug on the settings page for some users' },
    });
    await w().tick('ui-bug');
    await w().tick('ui-bug');
    await w().tick('ui-bug');
    const posts = await postsAbout('ui-bug');
    expect(posts).toHaveLength(1);
    expect(String(posts[0]?.params.blocks)).toContain('rollback_open_incident');
    expect(posts[0]?.params.thread_ts).toBeUndefined();
    expect(await incidentsOf(w().db, 'ui-bug')).toHaveLength(0);
  });

  it(
    'SHOULD, P95 latency: fires above 150% of the previous deployment’s baseline, not ' +
      'below, and has no data without a baseline',
    async () => {
      // P95 comes from the probes only (alert tools report latency in their own units): the probes' evidence is given
      // here.
      const evidence: Record<string, ProbeEvidence> = {
        'p95-slow': { p95Ms: 900, baselineP95Ms: 400 },
        'p95-fine': { p95Ms: 500, baselineP95Ms: 400 },
        'p95-nobase': { p95Ms: 900 },
      };
      const db = createDb(w().databaseUrl, silentLogger, 2);
      try {
        const detection = createDetection(
          {
            db,
            services: w().bot.bot.engine.deps.services,
            engine: () => w().bot.bot.engine.deps,
            notifier: createSlackNotifier(db),
            logger: silentLogger,
          },
          { probeEvidence: async (service) => evidence[service.name] ?? {} },
        );
        for (const name of ['p95-slow', 'p95-fine', 'p95-nobase'] as const) {
          const outcome = await detection.evaluate(name, new Date(w().clock.now().getTime() - 5000));
          expect(outcome.evaluated).toBe(true);
        }
      } finally {
        await db.close();
      }
      expect(await state(w(), 'p95-slow')).toMatchObject({ last_verdict: 'should', last_rule: 'p95_latency' });
      await expectAsked('p95-slow', 'should', /P95 900 ms against a baseline of 400 ms: more than 50% slower/);
      await expectNothing('p95-fine', 'ok');
      await expectNothing('p95-nobase', 'inconclusive');
    },
  );

  it('no data at all: inconclusive, nothing posted', async () => {
    await w().tick('quiet');
    await w().tick('quiet');
    await expectNothing('quiet', 'inconclusive');
  });
});

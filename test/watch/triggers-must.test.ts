/**
 * The runbook's MUST trigger rules at the job level: alerts arrive (Alertmanager and Grafana webhook JSON through the
 * intake), the `detect:<service>` job runs interval by interval (engine.scheduler.runTick, the clock moved 30 s each
 * time), and each rule fires, does not fire, or has no data. Autopilot is off here: MUST opens an incident that asks
 * Roll back / Hotfix / Monitor and pages the owner. SHOULD, MAY and no data: triggers-should-may.test.ts.
 */
import { state, detection, useTriggerWorld } from './triggers-support';
import { incidentsOf } from '../support/detection-world';

describe('trigger rules, interval by interval: MUST', () => {
  const { w, alertmanager, grafana, postsAbout, expectAsked, expectNothing } = useTriggerWorld('det_triggers_must');

  it('MUST, auth completely broken: fires on an auth-down alert', async () => {
    alertmanager('auth-down', {
      labels: { alertname: 'AuthDown', severity: 'critical' },
      annotations: { summary: 'Users cannot sign in' },
    });
    await w().tick('auth-down');
    expect(await state(w(), 'auth-down')).toMatchObject({ last_verdict: 'must', last_rule: 'auth_broken' });
    await expectAsked('auth-down', 'must', /auth completely broken/);
  });

  it('MUST, auth: does not fire when only 5% of sign-ins fail (a feature error rate within 10%)', async () => {
    grafana('auth-partial', {
      labels: { alertname: 'LoginFailures' },
      annotations: { summary: 'sign-in failures' },
      values: { B: 0.05, C: 1 },
    });
    await w().tick('auth-partial');
    await expectNothing('auth-partial', 'ok');
  });

  it('MUST, database writes failing: fires', async () => {
    alertmanager('db-writes', {
      labels: { alertname: 'DatabaseWritesFailing', severity: 'critical' },
      annotations: { summary: 'inserts fail: data cannot be saved' },
    });
    await w().tick('db-writes');
    await expectAsked('db-writes', 'must', /database writes failing/);
  });

  it(
    'MUST, critical security vulnerability: fires when declared critical; a warning ' + 'is only a MAY for judgement',
    async () => {
      alertmanager('sec-critical', {
        labels: { alertname: 'SecurityVulnerability', severity: 'critical' },
        annotations: { summary: 'CVE-2026-1234 exploit in auth library' },
      });
      alertmanager('sec-warning', {
        labels: { alertname: 'SecurityVulnerability', severity: 'warning' },
        annotations: { summary: 'CVE-2026-9999 in a dev dependency' },
      });
      await w().tick('sec-critical');
      await w().tick('sec-warning');
      await expectAsked('sec-critical', 'must', /critical security vulnerability/);
      expect(await state(w(), 'sec-warning')).toMatchObject({ last_verdict: 'may', last_rule: 'other_alerts' });
      expect(await incidentsOf(w().db, 'sec-warning')).toHaveLength(0);
    },
  );

  it(
    'MUST, 5xx above 25% for more than 2 minutes: MAY while it builds, MUST on the ' +
      'fifth 30-second interval, one post each',
    async () => {
      grafana('five-xx', {
        labels: { alertname: 'High5xxRate' },
        annotations: { summary: 'HTTP 5xx ratio' },
        values: { B: 0.4, C: 1 },
      });
      for (let i = 1; i <= 4; i += 1) {
        await w().tick('five-xx');
        expect(await state(w(), 'five-xx')).toMatchObject({ last_verdict: 'may', five_xx_intervals: i });
      }
      expect(await incidentsOf(w().db, 'five-xx')).toHaveLength(0);
      expect(await detection(w(), 'five-xx')).toMatchObject({ level: 'may', proposal_posted: true });
      expect(
        (await postsAbout('five-xx')).filter((c) => String(c.params.blocks).includes('MAY roll back')),
      ).toHaveLength(1);

      await w().tick('five-xx');
      expect(await state(w(), 'five-xx')).toMatchObject({
        last_verdict: 'must',
        last_rule: 'five_xx_rate',
        five_xx_intervals: 5,
      });
      await expectAsked('five-xx', 'must', /5xx rate 40% above 25% for 150s/);
      const [incident] = await incidentsOf(w().db, 'five-xx');
      expect(await detection(w(), 'five-xx')).toMatchObject({ level: 'must', incident_id: incident?.id });
      // The MAY post is updated to point at the incident, not posted again.
      const proposal = w().slack.calls.filter(
        (c) =>
          c.method === 'chat.update' && String(c.params.blocks).includes(`Incident ${incident?.id} is open for it`),
      );
      expect(proposal.length).toBeGreaterThan(0);

      await w().tick('five-xx');
      expect(await incidentsOf(w().db, 'five-xx')).toHaveLength(1);
    },
  );

  it('MUST, 5xx: does not fire at 20%', async () => {
    grafana('five-xx-low', { labels: { alertname: 'High5xxRate' }, values: { B: 0.2, C: 1 } });
    for (let i = 0; i < 6; i += 1) await w().tick('five-xx-low');
    await expectNothing('five-xx-low', 'ok');
  });

  it('MUST, 5xx: an interval with no data neither advances nor resets the count', async () => {
    const fire = () =>
      grafana('five-xx-gap', { labels: { alertname: 'High5xxRate' }, values: { B: 0.5, C: 1 }, fingerprint: 'gap-1' });
    fire();
    for (let i = 0; i < 3; i += 1) await w().tick('five-xx-gap');
    grafana('five-xx-gap', {
      labels: { alertname: 'High5xxRate' },
      values: { B: 0.5, C: 1 },
      fingerprint: 'gap-1',
      status: 'resolved',
    });
    await w().tick('five-xx-gap');
    expect(await state(w(), 'five-xx-gap')).toMatchObject({ last_verdict: 'inconclusive', five_xx_intervals: 3 });
    fire();
    await w().tick('five-xx-gap');
    expect(await state(w(), 'five-xx-gap')).toMatchObject({ last_verdict: 'may', five_xx_intervals: 4 });
    await w().tick('five-xx-gap');
    expect(await state(w(), 'five-xx-gap')).toMatchObject({ last_verdict: 'must', five_xx_intervals: 5 });
  });
});

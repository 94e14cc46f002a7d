/**
 * Autopilot on: a MUST trigger rolls production back to the last known good at
 * once, through the same request path as /rollback, posting ROLLBACK IN
 * PROGRESS to COMPLETE against the Vercel stand-in and notifying the CTO; the
 * alerts that keep firing afterwards open no second incident. An incident
 * already asking the hotfix question is taken over when its trigger becomes a
 * MUST.
 */
import { alertmanagerWebhook, grafanaWebhook } from '../unit/signals/builders';
import { HOTFIX } from '../../src/slack/action-ids';
import { incidentsOf, useDetectionWorld } from '../support/detection-world';
import { eventually } from '../support/wait';

const SERVICE = 'dr-amal-clinical-os';

describe('autopilot on', () => {
  const ctx = useDetectionWorld('det_autopilot', { main: { autopilot: true } });
  const w = () => ctx.world;
  const intake = () => w().bot.bot.detection.intake;

  it(
    'rolls back at once on a MUST trigger, posts everything, notifies the CTO, and ' + 'opens no second incident',
    async () => {
      const startsAt = new Date(w().clock.now().getTime() - 90_000);
      intake().fromWebhook(
        'alertmanager',
        alertmanagerWebhook([
          {
            labels: { alertname: 'AuthDown', service: SERVICE, severity: 'critical' },
            annotations: { summary: 'Users cannot sign in' },
            startsAt: startsAt.toISOString(),
            fingerprint: 'auth-1',
          },
        ]),
      );
      const firstSeen = w().clock.now();
      await w().tick(SERVICE);

      const [incident, ...others] = await incidentsOf(w().db, SERVICE);
      expect(others).toHaveLength(0);
      expect(incident).toMatchObject({ severity: 'must', opened_by: 'rollback-bot' });
      const stored = await w().bot.bot.engine.deps.store.getIncident(incident?.id ?? '');
      expect(stored?.impactStartedAt?.toISOString()).toBe(startsAt.toISOString());
      // Detected when the evaluation fired the rule (the tick moves the clock 30 s past the first notice).
      expect(Math.abs((stored?.detectedAt?.getTime() ?? 0) - (firstSeen.getTime() + 30_000))).toBeLessThan(1000);

      const root = await w().waitForPost('ROLLBACK IN PROGRESS', 15_000);
      expect(String(root.params.blocks)).toContain('auth completely broken');
      await w().waitForPost('ROLLBACK COMPLETE', 30_000);
      expect(w().vercel.state.production()?.id).toBe(w().history.good.id);

      const notice = await w().slack.waitForCall(
        (c) =>
          c.method === 'chat.postMessage' &&
          c.answer.ok &&
          String(c.params.channel).startsWith('D') &&
          String(c.params.text).includes('Autopilot rollback'),
      );
      expect(String(notice.params.text)).toContain(incident?.id);
      const summary = await w().slack.waitForCall(
        (c) => c.answer.ok && String(c.params.blocks).includes('Autopilot is on for this service'),
      );
      expect(summary.params.thread_ts ?? summary.params.ts).toBeDefined();

      const kinds = (await w().bot.bot.engine.deps.store.timeline(incident?.id ?? '')).map((t) => t.kind);
      expect(kinds).toEqual(expect.arrayContaining(['opened', 'autopilot', 'cto_notified']));

      // The alert keeps firing for a while after the rollback: same episode, no second incident, no second rollback.
      intake().fromWebhook(
        'alertmanager',
        alertmanagerWebhook([
          {
            labels: { alertname: 'AuthDown', service: SERVICE, severity: 'critical' },
            startsAt: startsAt.toISOString(),
            fingerprint: 'auth-1',
          },
        ]),
      );
      await w().tick(SERVICE);
      await w().tick(SERVICE);
      expect(await incidentsOf(w().db, SERVICE)).toHaveLength(1);

      intake().fromWebhook(
        'alertmanager',
        alertmanagerWebhook([
          {
            status: 'resolved',
            labels: { alertname: 'AuthDown', service: SERVICE, severity: 'critical' },
            fingerprint: 'auth-1',
          },
        ]),
      );
      await w().tick(SERVICE);
      const { rows } = await w().db.query(
        'SELECT status, end_reason FROM detections WHERE service = $1 ORDER BY id DESC LIMIT 1',
        [SERVICE],
      );
      expect(rows[0]).toMatchObject({
        status: 'ended',
        end_reason: expect.stringContaining(`every alert resolved after ${incident?.id}`),
      });
    },
  );

  it('takes over an incident at the hotfix question when its trigger becomes a MUST', async () => {
    w().vercel.state.addDeployment({ version: '2.0.1', live: true });
    const startsAt = new Date(w().clock.now().getTime() - 60_000).toISOString();
    intake().fromWebhook(
      'grafana',
      grafanaWebhook([
        {
          labels: { alertname: 'NotesErrorRate', service: SERVICE, feature: 'ai-notes' },
          values: { B: 0.2, C: 1 },
          startsAt,
          fingerprint: 'notes-1',
        },
      ]),
    );
    await w().tick(SERVICE);
    const incidents = await incidentsOf(w().db, SERVICE);
    const asked = incidents[incidents.length - 1];
    expect(asked).toMatchObject({ state: 'open', severity: 'should' });
    expect(await w().bot.bot.engine.deps.store.steps(asked?.id ?? '')).toHaveLength(0);

    // A person claims a hotfix; then sign-in breaks completely: autopilot does not wait for the claim.
    const question = await w().slack.waitForCall(
      (c) =>
        c.method === 'chat.postMessage' && c.answer.ok && String(c.params.blocks).includes(`Incident ${asked?.id}`),
    );
    await w().bot.sender.blockAction({
      userId: 'U0DEVOPS1',
      actionId: HOTFIX,
      value: asked?.id ?? '',
      messageTs: String(question.answer.ts),
      responseId: 'claim-1',
    });
    await w().slack.waitForResponse((p) => p.id === 'claim-1');
    intake().fromWebhook(
      'alertmanager',
      alertmanagerWebhook([
        { labels: { alertname: 'AuthDown', service: SERVICE, severity: 'critical' }, startsAt, fingerprint: 'auth-2' },
      ]),
    );
    await w().tick(SERVICE);

    expect(await incidentsOf(w().db, SERVICE)).toHaveLength(incidents.length);
    const after = await eventually(
      () => w().bot.bot.engine.deps.store.getIncident(asked?.id ?? ''),
      (i) => i?.state === 'resolved',
      30_000,
      'the rollback to complete',
    );
    expect(after).toMatchObject({ severity: 'must', data: { owner: 'rollback-bot' } });
    const kinds = (await w().bot.bot.engine.deps.store.timeline(asked?.id ?? '')).map((t) => t.kind);
    expect(kinds).toEqual(expect.arrayContaining(['decision_hotfix', 'decision_rollback_now', 'cto_notified']));
    await w().slack.waitForCall(
      (c) =>
        c.answer.ok &&
        String(c.params.blocks).includes('ROLLBACK COMPLETE') &&
        String(c.params.blocks).includes(asked?.id ?? ''),
      15_000,
    );
  });
});

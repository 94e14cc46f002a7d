/**
 * Autopilot off, the answers people give to a detected trigger: Monitor
 * (recorded, asked again when the trigger persists past the 10-minute window,
 * refused to people without a rollback role), the incident closed as
 * recovered without rollback once every alert resolved, and "Open incident"
 * on a MAY post.
 */
import { grafanaWebhook } from '../unit/signals/builders';
import { MONITOR, OPEN_INCIDENT } from '../../src/slack/action-ids';
import { extraService, incidentsOf, useDetectionWorld } from '../support/detection-world';

const SERVICE = 'dr-amal-clinical-os';
const MAYBE = 'svc-maybe';

describe('Monitor, recovery, and Open incident (autopilot off)', () => {
  const ctx = useDetectionWorld('det_monitor', { services: [extraService(MAYBE)] });
  const w = () => ctx.world;
  const notes = (status: 'firing' | 'resolved' = 'firing') =>
    w().bot.bot.detection.intake.fromWebhook(
      'grafana',
      grafanaWebhook([
        {
          status,
          labels: { alertname: 'NotesErrorRate', service: SERVICE, feature: 'ai-notes' },
          values: { B: 0.22, C: 1 },
          fingerprint: 'notes-1',
          startsAt: new Date(w().clock.now().getTime() - 60_000).toISOString(),
        },
      ]),
    );
  const click = async (userId: string, actionId: string, value: string, responseId: string): Promise<string> => {
    await w().bot.sender.blockAction({ userId, actionId, value, responseId });
    return JSON.stringify((await w().slack.waitForResponse((p) => p.id === responseId)).body);
  };

  it(
    'records Monitor, asks again only after the window, and closes as recovered once ' + 'every alert resolved',
    async () => {
      notes();
      await w().tick(SERVICE);
      const [incident] = await incidentsOf(w().db, SERVICE);
      expect(incident).toMatchObject({ state: 'open', severity: 'should' });
      const id = incident?.id ?? '';

      expect(await click('U0NOBODY1', MONITOR, id, 'm-nobody')).toMatch(
        /Only the DevOps lead, on-call engineer, DBA or CTO/,
      );
      expect(await click('U0DEVOPS1', MONITOR, id, 'm-devops')).toMatch(
        /Monitor chosen by <@U0DEVOPS1>: the bot asks again at/,
      );
      await w().slack.waitForCall(
        (c) => c.answer.ok && String(c.params.blocks).includes('Monitoring, chosen by <@U0DEVOPS1>'),
      );

      // Five minutes on, still firing: the window is not over, nothing is asked.
      notes();
      for (let i = 0; i < 10; i += 1) await w().tick(SERVICE);
      await w().bot.bot.engine.outbox.drain(10_000);
      expect(w().posts('Still firing after monitoring')).toHaveLength(0);

      // Past ten minutes and still firing: asked again in the thread, with the buttons and the owner paged.
      notes();
      for (let i = 0; i < 11; i += 1) await w().tick(SERVICE);
      const again = await w().waitForPost('Still firing after monitoring');
      expect(again.params.thread_ts).toBeDefined();
      for (const id of ['rollback_now', 'rollback_hotfix', 'rollback_monitor', '<@U0DEVOPS1>'])
        expect(String(again.params.blocks)).toContain(id);
      await w().tick(SERVICE);
      await w().bot.bot.engine.outbox.drain(10_000);
      expect(w().posts('Still firing after monitoring')).toHaveLength(1);
      const kinds = (await w().bot.bot.engine.deps.store.timeline(id)).map((t) => t.kind);
      expect(kinds).toEqual(expect.arrayContaining(['refused', 'decision_monitor', 'decision_asked_again']));

      // The alert resolves: the next interval closes the incident, with nothing rolled back.
      notes('resolved');
      await w().tick(SERVICE);
      const closed = await w().bot.bot.engine.deps.store.getIncident(id);
      expect(closed).toMatchObject({ state: 'resolved', data: { facts: { outcome: 'recovered_without_rollback' } } });
      expect(await w().bot.bot.engine.deps.store.steps(id)).toHaveLength(0);
      const recovered = await w().waitForPost('RECOVERED WITHOUT ROLLBACK');
      expect(recovered.params.thread_ts).toBeDefined();
      expect(String(recovered.params.blocks)).toContain('nothing was rolled back');
      expect(await click('U0DEVOPS1', MONITOR, id, 'm-late')).toMatch(/resolved; there is nothing left to monitor/);
    },
  );

  it('opens a question incident from the MAY post, once, for someone with a role', async () => {
    w().bot.bot.detection.intake.fromWebhook(
      'grafana',
      grafanaWebhook([
        {
          labels: { alertname: 'SettingsPageGlitch', service: MAYBE, severity: 'warning' },
          annotations: { summary: 'UI bug for a minority of users' },
          fingerprint: 'ui-1',
        },
      ]),
    );
    await w().tick(MAYBE);
    const { rows } = await w().db.query('SELECT id FROM detections WHERE service = $1 AND status = $2', [
      MAYBE,
      'open',
    ]);
    const detectionId = String(rows[0]?.id);
    const post = await w().waitForPost('MAY roll back');
    expect(String(post.params.blocks)).toContain('rollback_open_incident');

    expect(await click('U0NOBODY1', OPEN_INCIDENT, detectionId, 'o-nobody')).toMatch(/Only the DevOps lead/);
    expect(await click('U0DEVOPS1', OPEN_INCIDENT, detectionId, 'o-devops')).toMatch(/Incident INC-\S+ opened/);
    const [incident, ...more] = await incidentsOf(w().db, MAYBE);
    expect(more).toHaveLength(0);
    expect(incident).toMatchObject({ state: 'open', severity: 'may', opened_by: 'U0DEVOPS1' });
    await w().slack.waitForCall(
      (c) =>
        c.method === 'chat.update' &&
        String(c.params.blocks).includes(`Incident ${incident?.id} is open for it`) &&
        !String(c.params.blocks).includes('rollback_open_incident'),
    );
    expect(await click('U0DEVOPS1', OPEN_INCIDENT, detectionId, 'o-again')).toMatch(/already open/);
    expect(await incidentsOf(w().db, MAYBE)).toHaveLength(1);
  });
});

/**
 * An alert storm: 10,000 Alertmanager notifications of one failure through the
 * intake, then a few hundred more as signed Slack events over HTTP, make
 * exactly one incident and at most 10 Slack posts in all (the incident
 * thread included): the counts go into one message updated in place. When
 * the alert resolves, the incident closes as recovered, still within the 10.
 */
import { alertmanagerSlack, grafanaSlack } from '../unit/signals/slack-builders';
import { CHANNEL, alertRows, incidentsOf, useDetectionWorld } from '../support/detection-world';
import { eventually } from '../support/wait';

const SERVICE = 'dr-amal-clinical-os';
const STORM = 10_000;
const OVER_HTTP = 300;
const AUTH_DOWN = {
  labels: { alertname: 'AuthDown', service: SERVICE, severity: 'critical' },
  annotations: { summary: 'Users cannot sign in' },
};

describe('an alert storm about one failure', () => {
  const ctx = useDetectionWorld('det_storm');
  const w = () => ctx.world;

  it('makes one incident and at most 10 posts, with the storm counted in one message', async () => {
    const start = w().clock.now().getTime();
    const intake = w().bot.bot.detection.intake;
    const stored: Promise<void>[] = [];
    for (let i = 0; i < STORM; i += 1) {
      // Every replica of the alert pipeline repeats it, a few per millisecond.
      const taken = intake.fromSlackMessage(alertmanagerSlack([AUTH_DOWN], new Date(start + Math.floor(i / 4))));
      if (taken) stored.push(taken.stored);
    }
    expect(stored).toHaveLength(STORM);
    await Promise.all(stored);
    const [row] = await alertRows(w().db, SERVICE);
    expect(row).toMatchObject({ kind: 'auth_broken', firing: true, repeats: STORM });

    await w().tick(SERVICE);
    expect(await incidentsOf(w().db, SERVICE)).toHaveLength(1);

    for (let i = 0; i < OVER_HTTP; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, (_, j) =>
          w().bot.sender.event({
            type: 'message',
            channel: CHANNEL,
            ...alertmanagerSlack([AUTH_DOWN], new Date(w().clock.now().getTime() + i + j)),
          }),
        ),
      );
    }
    await eventually(
      () => alertRows(w().db, SERVICE),
      (rows) => rows[0]?.repeats === STORM + OVER_HTTP,
      15_000,
      'every notification counted',
    );
    await w().tick(SERVICE);
    await w().tick(SERVICE);
    expect(await incidentsOf(w().db, SERVICE)).toHaveLength(1);

    // The thread's alerts message carries the count, updated in place.
    await w().bot.bot.engine.outbox.drain(15_000);
    const counted = w().slack.calls.filter(
      (c) =>
        c.answer.ok && String(c.params.blocks).includes(`${(STORM + OVER_HTTP).toLocaleString('en-US')} notifications`),
    );
    expect(counted.length).toBeGreaterThan(0);
    expect(counted.every((c) => c.method === 'chat.update')).toBe(true);

    // Grafana's own resolve for another view of the same failure, then Alertmanager's resolve.
    intake.fromSlackMessage(grafanaSlack([{ ...AUTH_DOWN, status: 'resolved' }], w().clock.now()));
    intake.fromSlackMessage(alertmanagerSlack([{ ...AUTH_DOWN, status: 'resolved' }], w().clock.now()));
    await w().tick(SERVICE);
    const [incident] = await incidentsOf(w().db, SERVICE);
    expect(incident).toMatchObject({ state: 'resolved' });
    await w().waitForPost('RECOVERED WITHOUT ROLLBACK');
    await w().bot.bot.engine.outbox.drain(15_000);

    const posts = w().posts();
    expect(posts.length).toBeLessThanOrEqual(10);
    expect(posts.length).toBeGreaterThanOrEqual(3);
  }, 60_000);
});

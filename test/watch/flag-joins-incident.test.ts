/**
 * An alert naming a feature behind a flag that arrives while an incident is
 * already open for the service joins that incident: the incident offers its
 * flag, and the hotfix question, updated in place, gets "Disable <flag>".
 * Autopilot off, so the first SHOULD asks the question.
 */
import { DISABLE_FLAG } from '../../src/slack/action-ids';
import { alertmanagerWebhook } from '../unit/signals/builders';
import { incidentsOf, useDetectionWorld } from '../support/detection-world';

const SERVICE = 'dr-amal-clinical-os';

describe('a flag named by an alert that joins an open incident', () => {
  const ctx = useDetectionWorld('det_flag_joins');
  const w = () => ctx.world;
  const alert = (fingerprint: string, labels: Record<string, string>, summary: string) =>
    w().bot.bot.detection.intake.fromWebhook(
      'alertmanager',
      alertmanagerWebhook([
        {
          labels: { alertname: 'RateLimitBypassed', service: SERVICE, severity: 'high', ...labels },
          annotations: { summary },
          startsAt: new Date(w().clock.now().getTime() - 60_000).toISOString(),
          fingerprint,
        },
      ]),
    );

  it('adds the flag to the incident and offers Disable ai-notes on the question', async () => {
    alert('rl-1', {}, 'rate limiting not enforced on /api/v2/generate');
    await w().tick(SERVICE);
    const [incident] = await incidentsOf(w().db, SERVICE);
    expect(incident).toMatchObject({ state: 'open' });
    const first = await w().waitForPost('Can it be hotfixed', 15_000);
    expect(String(first.params.blocks)).not.toContain(DISABLE_FLAG);

    alert('flag-1', { feature_flag: 'ai-notes' }, 'rate limiting not enforced on the notes generator');
    await w().tick(SERVICE);
    const updated = await w().slack.waitForCall(
      (c) => c.method === 'chat.update' && String(c.params.blocks).includes('Disable ai-notes'),
      15_000,
    );
    expect(String(updated.params.blocks)).toContain(DISABLE_FLAG);
    const incidents = await incidentsOf(w().db, SERVICE);
    expect(incidents).toHaveLength(1);
    const stored = await w().bot.bot.engine.deps.store.getIncident(String(incident?.id));
    expect(stored?.data.features).toContain('ai-notes');
  });
});

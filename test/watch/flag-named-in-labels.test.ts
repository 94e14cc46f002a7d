/**
 * An alert that names the feature only in its labels or annotations (a
 * `feature_flag` label, a `feature` annotation), not in its summary: the
 * incident it opens still offers "Disable <flag>" on the hotfix question.
 * Autopilot off, so a SHOULD asks the question.
 */
import { DISABLE_FLAG } from '../../src/slack/action-ids';
import { alertmanagerWebhook } from '../unit/signals/builders';
import { incidentsOf, useDetectionWorld } from '../support/detection-world';

const SERVICE = 'dr-amal-clinical-os';

describe('a flag named only in an alert label or annotation', () => {
  const ctx = useDetectionWorld('det_flag_labels');
  const w = () => ctx.world;

  it('offers Disable ai-notes on the hotfix question', async () => {
    const startsAt = new Date(w().clock.now().getTime() - 60_000).toISOString();
    w().bot.bot.detection.intake.fromWebhook(
      'alertmanager',
      alertmanagerWebhook([
        {
          labels: { alertname: 'RateLimitBypassed', service: SERVICE, severity: 'high', feature_flag: 'ai-notes' },
          annotations: { summary: 'rate limiting not enforced on /api/v2/generate' },
          startsAt,
          fingerprint: 'rl-1',
        },
      ]),
    );
    await w().tick(SERVICE);
    const [incident] = await incidentsOf(w().db, SERVICE);
    expect(incident).toMatchObject({ state: 'open', severity: 'should' });
    expect(`${incident?.issue} ${incident?.trigger}`).not.toMatch(/ai-notes|AI notes/i);
    const question = await w().waitForPost('Can it be hotfixed', 15_000);
    expect(String(question.params.blocks)).toContain(DISABLE_FLAG);
    expect(String(question.params.blocks)).toContain('Disable ai-notes');
  });
});

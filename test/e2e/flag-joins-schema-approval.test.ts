/**
 * A schema rollback waits for the CTO's approval; an alert naming a feature
 * behind a flag then joins the incident. The approval message, updated in
 * place (the same Slack message), offers "Disable <flag>": the runbook's
 * preferred alternative to the schema rollback it asks the CTO to approve.
 * (The hotfix question's case is test/watch/flag-joins-incident.test.ts.)
 */
import { DISABLE_FLAG } from '../../src/slack/action-ids';
import { detectJobName } from '../../src/watch/jobs';
import { exampleServiceRaw } from '../support/services';
import { SERVICE, type World, callText } from '../support/incident-world';
import { AI, useSchemaWorld } from '../support/schema-world';
import { alertmanagerWebhook } from '../unit/signals/builders';

/** The example's ai-notes flag without "ai features", which the AI migration's name (add_ai_features) would name. */
const aiNotes = {
  ...(exampleServiceRaw().flags as Record<string, unknown>[])[0],
  features: ['ai notes', 'aiGenerated'],
};

/** An alert for the service, then one detection interval as the scheduler would run it. */
async function alertJoins(world: World, labels: Record<string, string>, summary: string): Promise<void> {
  world.bot.bot.detection.intake.fromWebhook(
    'alertmanager',
    alertmanagerWebhook([
      {
        labels: { alertname: 'NotesGeneratorErrors', service: SERVICE, severity: 'high', ...labels },
        annotations: { summary },
        startsAt: new Date(world.clock.now().getTime() - 60_000).toISOString(),
        fingerprint: 'notes-1',
      },
    ]),
  );
  await world.bot.bot.detection.intake.flush();
  const slot = new Date(Math.floor((world.clock.now().getTime() - 10_000) / 1000) * 1000);
  const outcome = await world.bot.bot.engine.scheduler.runTick(detectJobName(SERVICE), slot);
  if (outcome.result !== 'ran') throw new Error(`the detection interval did not run: ${outcome.result}`);
}

describe('a flag named by an alert that joins a schema rollback awaiting approval', () => {
  const ctx = useSchemaWorld(
    'e2e_flag_joins_schema',
    { afterInit: async () => undefined, afterAi: async () => undefined },
    { flags: [aiNotes] },
  );

  it('updates the approval message in place to offer Disable ai-notes', async () => {
    const { world } = ctx;
    const ack = await world.bot.sender.slashCommand({
      text: `schema ${SERVICE} ${AI} the new columns break saving a record`,
      userId: 'U0DEVOPS1',
    });
    const incidentId = /started as (INC-\S+)\./.exec((ack.json() as { text: string }).text)?.[1] ?? '';
    expect(incidentId).toMatch(/^INC-/);
    const posted = await world.slack.waitForCall(
      (c) => c.method === 'chat.postMessage' && c.answer.ok && callText(c).includes('CTO approval needed'),
      20_000,
    );
    expect(callText(posted)).not.toContain('Disable ai-notes');

    await alertJoins(world, { feature_flag: 'ai-notes' }, 'AI notes generator answers 500 on every save');
    const updated = await world.slack.waitForCall(
      (c) => c.method === 'chat.update' && c.answer.ok && callText(c).includes('Disable ai-notes'),
      20_000,
    );
    expect(updated.params.ts).toBe(posted.answer.ts);
    expect(updated.params.channel).toBe(posted.params.channel);
    expect(callText(updated)).toContain('CTO approval needed');
    expect(callText(updated)).toContain(DISABLE_FLAG);
    // One approval message: the offer did not come as a second one.
    const approvals = world.slack
      .callsOf('chat.postMessage')
      .filter((c) => callText(c).includes('CTO approval needed'));
    expect(approvals).toHaveLength(1);
    const { store } = world.bot.bot.engine.deps;
    expect((await store.approvalsFor(incidentId)).map((a) => a.decision)).toEqual(['pending']);
    expect((await store.getIncident(incidentId))?.data.features).toContain('ai-notes');
    const kinds = (await store.timeline(incidentId)).map((t) => t.kind);
    expect(kinds).toContain('flag_named');
  });
});

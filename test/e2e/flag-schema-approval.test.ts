/**
 * The runbook's preferred alternative to a schema rollback, through the running
 * bot: the CTO approval message for `/rollback schema` of the AI migration
 * offers "Disable ai-notes" (the reason names the feature). The DevOps lead
 * presses it: the flag reads back off, the switch is on the incident's
 * timeline, and the schema rollback still waits for the CTO (nothing dropped).
 */
import { DISABLE_FLAG } from '../../src/slack/action-ids';
import { buttonAnswer, flagValue } from '../support/flags';
import { SERVICE } from '../support/incident-world';
import { rows } from '../support/database';
import { AI, useSchemaWorld } from '../support/schema-world';

describe('"Disable <flag>" on a schema rollback approval', () => {
  const ctx = useSchemaWorld('e2e_flag_schema', {
    afterInit: async () => undefined,
    afterAi: async () => undefined,
  });

  it('is offered as the preferred alternative and turns the feature off while the approval stays pending', async () => {
    const { world } = ctx;
    const ack = await world.bot.sender.slashCommand({
      text: `schema ${SERVICE} ${AI} AI notes corrupt the record`,
      userId: 'U0DEVOPS1',
    });
    const incidentId = /started as (INC-\S+)\./.exec((ack.json() as { text: string }).text)?.[1] ?? '';
    await world.waitForPost('Preferred alternative (runbook)', 20_000);
    const approvalText = world.postsWith('CTO approval needed').at(-1)?.text ?? '';
    expect(approvalText).toContain(DISABLE_FLAG);
    expect(approvalText).toContain('Disable ai-notes');

    const answer = await buttonAnswer(world, {
      userId: 'U0DEVOPS1',
      actionId: DISABLE_FLAG,
      value: `${incidentId}|ai-notes`,
    });
    expect(answer).toMatch(
      new RegExp(`turned the feature flag ai-notes .* off: it reads false.*Recorded on incident ${incidentId}`),
    );
    expect(flagValue(world)).toBe(false);
    // The approval, updated in place, says the flag is off instead of offering it again; Approve stays.
    await world.waitForPost('`ai-notes` is off (turned off by <@U0DEVOPS1> at ', 20_000);
    const updated = world.postsWith('CTO approval needed').at(-1)?.text ?? '';
    expect(updated).toContain('`ai-notes` is off (turned off by <@U0DEVOPS1> at ');
    expect(updated).not.toContain(DISABLE_FLAG);
    const kinds = (await world.bot.bot.engine.deps.store.timeline(incidentId)).map((t) => t.kind);
    expect(kinds).toContain('flag_switched');
    const [approval] = await rows<{ decision: string }>(
      ctx.bot.url,
      'SELECT decision FROM approvals WHERE incident_id = $1',
      [incidentId],
    );
    expect(approval?.decision).toBe('pending');
    const migration = await rows<{ rolled_back_at: Date | null }>(
      ctx.app.url,
      'SELECT rolled_back_at FROM "_prisma_migrations" WHERE migration_name = $1',
      [AI],
    );
    expect(migration[0]?.rolled_back_at).toBeNull();
  });
});

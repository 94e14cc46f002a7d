/**
 * Issue 16 item 6 over HTTP with the stand-ins and real PostgreSQL: the CTO
 * approves a schema rollback in time, then the bot is down until long after
 * the request's deadline. Before the fix the restarted bot failed the step
 * as "approval expired". Expiry limits only the time to decide: the new
 * replica runs the approved plan (its checksum still checked against
 * `_prisma_migrations`) and the incident ends COMPLETE.
 */
import { APPROVE } from '../../src/slack/action-ids';
import { withClient } from '../support/database';
import { waitFor } from '../support/wait';
import { SERVICE } from '../support/incident-world';
import { AI, useSchemaWorld } from '../support/schema-world';
import { rows } from '../support/database';

jest.setTimeout(90_000);

describe('an approved schema rollback after a restart past the deadline', () => {
  const ctx = useSchemaWorld('e2e_late_restart', {
    afterInit: async (url) =>
      void (await withClient(url, (c) =>
        c.query(`INSERT INTO "User" (email, name) SELECT 'u' || g || '@x', 'name ' || g FROM generate_series(1, 5) g`),
      )),
    afterAi: async (url) =>
      void (await withClient(url, (c) =>
        c.query(
          `INSERT INTO "ClinicalNote" ("userId", body, "aiSummary") SELECT 1 + g % 5, 'note ` +
            `' || g, 'summary ' || g FROM generate_series(1, 12) g`,
        ),
      )),
  });

  it('runs the plan the CTO approved in time, however late the bot comes back', async () => {
    const { world } = ctx;
    const ack = (
      await world.bot.sender.slashCommand({ text: `schema ${SERVICE} ${AI} AI notes corrupt`, userId: 'U0DEVOPS1' })
    ).json() as { text: string };
    const incidentId = /started as (INC-\S+)\./.exec(ack.text)?.[1] ?? '';
    await world.waitForPost('ClinicalNote.aiSummary', 30_000);

    // The bot goes down right after the CTO's click: its runner takes no more work.
    await world.bot.bot.engine.runner.stop();
    await world.bot.sender.blockAction({
      userId: 'U0CTO0001',
      actionId: APPROVE,
      value: `${incidentId}-A1`,
      blockId: `approval:${incidentId}-A1`,
      responseId: 'late-approve',
    });
    expect(JSON.stringify((await world.slack.waitForResponse((p) => p.id === 'late-approve')).body)).toContain(
      `You approved schema-rollback for ${incidentId}.`,
    );
    const [decided] = await rows<{ decision: string; expires_at: Date }>(
      ctx.bot.url,
      'SELECT decision, expires_at FROM approvals WHERE id = $1',
      [`${incidentId}-A1`],
    );
    expect(decided?.decision).toBe('approved');

    // It comes back two hours later, long after the request's 30 minutes.
    world.clock.advance(2 * 60 * 60_000);
    expect(world.clock.now().getTime()).toBeGreaterThan(decided?.expires_at.getTime() ?? Infinity);
    const replica = await world.startReplica();
    try {
      await waitFor(
        `${incidentId} to end`,
        async () => {
          const [row] = await rows<{ state: string }>(ctx.bot.url, 'SELECT state FROM incidents WHERE id = $1', [
            incidentId,
          ]);
          return row && ['resolved', 'failed', 'cancelled'].includes(row.state) && row.state;
        },
        60_000,
      );
      const [incident] = await rows<{ state: string }>(ctx.bot.url, 'SELECT state FROM incidents WHERE id = $1', [
        incidentId,
      ]);
      const errors = await rows<{ error: unknown }>(
        ctx.bot.url,
        'SELECT error FROM steps WHERE incident_id = $1 AND error IS NOT NULL',
        [incidentId],
      );
      expect({ state: incident?.state, errors }).toEqual({ state: 'resolved', errors: [] });
      expect(
        await rows(
          ctx.app.url,
          'SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1 AND rolled_back_at IS NOT NULL',
          [AI],
        ),
      ).toHaveLength(1);
    } finally {
      await replica.stop();
    }
  });
});

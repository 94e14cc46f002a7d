/**
 * Issue 6 end to end, schema path: the decisions that must not run the
 * rollback (self-approval, Reject, expiry) and the one that must run it once
 * (Approve double-clicked), over real HTTP against a real Prisma-style app
 * database. Each incident closes before the next one opens.
 */
import { APPROVE, REJECT } from '../../src/slack/action-ids';
import { diffCatalogs, readCatalog } from '../../src/schema/rollback/catalog';
import { withClient } from '../support/database';
import { SERVICE } from '../support/incident-world';
import { AI, useSchemaWorld } from '../support/schema-world';
import { rows } from '../support/database';

describe('schema rollback decisions that must not run it, and a double click that runs it once', () => {
  const ctx = useSchemaWorld('e2e_schema_dec', {
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
  let incidentId = '';
  let approvalTs = '';
  const approvalId = (): string => `${incidentId}-A1`;

  const state = async (): Promise<{
    incident?: string;
    step?: string;
    attempts?: number;
    decision?: string;
    decidedBy?: string | null;
  }> => {
    const [row] = await rows<{
      incident: string;
      step: string;
      attempts: number;
      decision: string;
      decided_by: string | null;
    }>(
      ctx.bot.url,
      `SELECT i.state AS incident, s.state AS step, s.attempts, a.decision, a.decided_by
         FROM incidents i JOIN steps s ON s.incident_id = i.id JOIN approvals a ON a.step_id = s.id WHERE i.id = $1`,
      [incidentId],
    );
    return {
      incident: row?.incident,
      step: row?.step,
      attempts: row?.attempts,
      decision: row?.decision,
      decidedBy: row?.decided_by,
    };
  };
  const timeline = (kind: string): Promise<{ actor: string; message: string }[]> =>
    rows(ctx.bot.url, 'SELECT actor, message FROM timeline WHERE incident_id = $1 AND kind = $2 ORDER BY id', [
      incidentId,
      kind,
    ]);
  /** The app database exactly as ctx.deployed: same catalog, migration still applied, no archive. */
  const expectAppUntouched = async (): Promise<void> => {
    expect(diffCatalogs(ctx.deployed, await withClient(ctx.app.url, readCatalog))).toEqual([]);
    expect(
      await rows(ctx.app.url, 'SELECT rolled_back_at FROM "_prisma_migrations" WHERE migration_name = $1', [AI]),
    ).toEqual([{ rolled_back_at: null }]);
    expect(await rows(ctx.app.url, `SELECT to_regnamespace('rollback_archive') AS s`)).toEqual([{ s: null }]);
  };
  const click = async (userId: string, actionId: string): Promise<string> => {
    const responseId = `r${Math.random().toString(36).slice(2, 10)}`;
    const ack = await ctx.world.bot.sender.blockAction({
      userId,
      actionId,
      value: approvalId(),
      messageTs: approvalTs,
      blockId: `approval:${approvalId()}`,
      responseId,
    });
    expect(ack.status).toBe(200);
    const answer = await ctx.world.slack.waitForResponse((p) => p.id === responseId);
    expect(answer.body).toMatchObject({ response_type: 'ephemeral' });
    return String(answer.body.text);
  };
  /** `/rollback schema` as the user; resolves once the approval message shows the estimate and Approve. */
  const request = async (userId: string): Promise<void> => {
    const answer = (
      await ctx.world.bot.sender.slashCommand({ text: `schema ${SERVICE} ${AI} AI summaries leak into notes`, userId })
    ).json() as { text: string };
    incidentId = /started as (INC-\S+)\./.exec(answer.text)?.[1] ?? '';
    expect(incidentId).not.toBe('');
    await ctx.world.slack.waitForCall(
      (c) =>
        c.answer.ok &&
        /chat\.(postMessage|update)/.test(c.method) &&
        String(c.params.text).includes(`(${incidentId})`) &&
        String(c.params.blocks).includes(APPROVE),
      20_000,
    );
    approvalTs = String(
      ctx.world.slack
        .callsOf('chat.postMessage')
        .find(
          (c) =>
            c.answer.ok &&
            String(c.params.text).includes(`CTO approval needed`) &&
            String(c.params.text).includes(incidentId),
        )?.answer.ts,
    );
    expect(await state()).toEqual({
      incident: 'open',
      step: 'awaiting_approval',
      attempts: 0,
      decision: 'pending',
      decidedBy: null,
    });
  };

  it(
    'refuses self-approval by a requester who is both DevOps lead and CTO, records ' + 'it, and changes nothing',
    async () => {
      await request('U0BOTH001');
      const text = await click('U0BOTH001', APPROVE);
      expect(text).toContain(
        'You requested this rollback, so you cannot approve it yourself. Another CTO must approve it.',
      );
      expect(await timeline('approval_refused')).toEqual([
        {
          actor: 'U0BOTH001',
          message: expect.stringMatching(/approve by <@U0BOTH001> refused: You requested this rollback/),
        },
      ]);
      expect(await state()).toEqual({
        incident: 'open',
        step: 'awaiting_approval',
        attempts: 0,
        decision: 'pending',
        decidedBy: null,
      });
      await expectAppUntouched();
    },
  );

  it('Reject by the CTO cancels the incident; nothing is dropped', async () => {
    expect(await click('U0CTO0001', REJECT)).toBe(`You rejected schema-rollback for ${incidentId}.`);
    await ctx.world.waitForPost(`Rollback ${incidentId} cancelled`);
    await ctx.world.waitForPost('Rejected* by <@U0CTO0001>');
    expect(await state()).toEqual({
      incident: 'cancelled',
      step: 'cancelled',
      attempts: 0,
      decision: 'rejected',
      decidedBy: 'U0CTO0001',
    });
    expect(await timeline('approval_rejected')).toEqual([
      { actor: 'U0CTO0001', message: '<@U0CTO0001> (CTO) rejected schema-rollback.' },
    ]);
    expect(ctx.world.postsWith(`ROLLBACK COMPLETE`)).toEqual([]);
    await ctx.world.bot.bot.engine.runner.idle();
    await expectAppUntouched();
  });

  it(
    'an approval left 31 minutes expires on the runner’s next tick, the message says ' +
      'so, and a later Approve is refused',
    async () => {
      await request('U0DEVOPS1');
      ctx.world.clock.advance(31 * 60_000);
      await ctx.world.waitForPost('APPROVAL EXPIRED');
      expect(await state()).toEqual({
        incident: 'cancelled',
        step: 'cancelled',
        attempts: 0,
        decision: 'expired',
        decidedBy: null,
      });
      expect((await timeline('approval_expired'))[0]?.message).toMatch(/expired at .* without a decision/);
      const expired = ctx.world.postsWith('APPROVAL EXPIRED').at(-1)?.text ?? '';
      expect(expired).toContain('expired at');
      expect(expired).not.toContain(APPROVE);

      const text = await click('U0CTO0001', APPROVE);
      expect(text).toMatch(/This approval request expired at \S+ without a decision/);
      expect(await timeline('approval_refused')).toEqual([
        { actor: 'U0CTO0001', message: expect.stringMatching(/^approve refused/) },
      ]);
      expect(await state()).toEqual({
        incident: 'cancelled',
        step: 'cancelled',
        attempts: 0,
        decision: 'expired',
        decidedBy: null,
      });
      await expectAppUntouched();
    },
  );

  it('Approve clicked twice at once makes one decision and runs the rollback once', async () => {
    await request('U0DEVOPS1');
    const answers = await Promise.all([click('U0CTO0001', APPROVE), click('U0CTO0001', APPROVE)]);
    expect(answers.filter((a) => a === `You approved schema-rollback for ${incidentId}.`)).toHaveLength(1);
    expect(
      answers.filter((a) => /Already approved by <@U0CTO0001>; nothing changed|already approved/.test(a)),
    ).toHaveLength(1);
    await ctx.world.waitForPost('ROLLBACK COMPLETE', 20_000);
    await ctx.world.bot.bot.engine.runner.idle();

    expect(await state()).toEqual({
      incident: 'resolved',
      step: 'succeeded',
      attempts: 1,
      decision: 'approved',
      decidedBy: 'U0CTO0001',
    });
    expect(await timeline('approval_approved')).toHaveLength(1);
    expect((await timeline('step')).filter((t) => t.message === 'Step 1 (schema) running')).toHaveLength(1);
    const manifest = await rows<{ source_column: string | null; incident_id: string }>(
      ctx.app.url,
      'SELECT source_column, incident_id FROM rollback_archive.manifest ORDER BY source_column',
    );
    expect(manifest).toEqual([
      { source_column: 'aiGenerated', incident_id: incidentId },
      { source_column: 'aiSummary', incident_id: incidentId },
      { source_column: 'body', incident_id: incidentId },
      { source_column: null, incident_id: incidentId },
    ]);
    const [marked] = await rows<{ rolled_back_at: Date | null }>(
      ctx.app.url,
      'SELECT rolled_back_at FROM "_prisma_migrations" WHERE migration_name = $1',
      [AI],
    );
    expect(marked?.rolled_back_at).toBeInstanceOf(Date);
    expect(ctx.world.postsWith('ROLLBACK COMPLETE').filter((p) => p.method === 'chat.postMessage')).toHaveLength(1);
  });
});

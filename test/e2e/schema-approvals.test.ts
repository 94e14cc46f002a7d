/**
 * Issue 6 end to end, schema path: `/rollback schema` by the DevOps lead, the
 * CTO's approval over real HTTP (signed block_actions), and the rollback of a
 * Prisma migration on a real app database. Proves the data-loss estimate in
 * the approval message, the refusal of approvers without the CTO role, the
 * approved rollback (values archived, `_prisma_migrations` marked, ROLLBACK
 * COMPLETE), and that a button of the closed incident changes nothing.
 */
import { APPROVE, REJECT } from '../../src/slack/action-ids';
import { diffCatalogs, readCatalog } from '../../src/schema/rollback/catalog';
import { withClient } from '../support/database';
import { SERVICE } from '../support/incident-world';
import { AI, useSchemaWorld } from '../support/schema-world';
import { rows } from '../support/database';

/** The app database as production has it after the bad deploy: init, data, add_ai_features, AI data. */

describe('schema rollback with the CTO approval, over real HTTP', () => {
  const ctx = useSchemaWorld('e2e_schema', {
    afterInit: async (url) =>
      withClient(url, async (c) => {
        await c.query(
          `INSERT INTO "User" (email, name) SELECT 'u' || g || '@x', 'name ' || g FROM generate_series(1, 20) g`,
        );
        await c.query(
          `INSERT INTO "ClinicalNote" ("userId", body) SELECT 1 + g % 20, 'note ' || g FROM generate_series(1, 50) g`,
        );
      }),
    afterAi: async (url) =>
      withClient(url, async (c) => {
        await c.query(
          `UPDATE "ClinicalNote" SET "aiSummary" = 'summary ' || id, "aiGenerated" = (id % 2 = 0) WHERE id <= 30`,
        );
        await c.query(
          `INSERT INTO "AiRun" ("noteId", output) SELECT id, jsonb_build_object('n', id) ` +
            `FROM "ClinicalNote" WHERE id <= 10`,
        );
      }),
  });
  let incidentId: string;
  let approvalId: string;
  let approvalTs: string;

  const timeline = (kind: string): Promise<{ actor: string; message: string }[]> =>
    rows(ctx.bot.url, 'SELECT actor, message FROM timeline WHERE incident_id = $1 AND kind = $2 ORDER BY id', [
      incidentId,
      kind,
    ]);
  const approval = async (): Promise<{ decision: string; decided_by: string | null }> =>
    (
      await rows<{ decision: string; decided_by: string | null }>(
        ctx.bot.url,
        'SELECT decision, decided_by FROM approvals WHERE id = $1',
        [approvalId],
      )
    )[0] ?? { decision: 'missing', decided_by: null };
  const schemaStep = async (): Promise<{ state: string; attempts: number }> =>
    (
      await rows<{ state: string; attempts: number }>(
        ctx.bot.url,
        "SELECT state, attempts FROM steps WHERE incident_id = $1 AND kind = 'schema'",
        [incidentId],
      )
    )[0] ?? { state: 'missing', attempts: -1 };
  const migrationRow = async (): Promise<{ rolled_back_at: Date | null }[]> =>
    rows(ctx.app.url, 'SELECT rolled_back_at FROM "_prisma_migrations" WHERE migration_name = $1', [AI]);
  /** Clicks a button as Slack sends it and returns the ephemeral answer posted to the response_url. */
  const click = async (userId: string, actionId: string, value = approvalId): Promise<string> => {
    const responseId = `r${Math.random().toString(36).slice(2, 10)}`;
    const ack = await ctx.world.bot.sender.blockAction({
      userId,
      actionId,
      value,
      messageTs: approvalTs,
      blockId: `approval:${value}`,
      responseId,
    });
    expect(ack.status).toBe(200);
    const answer = await ctx.world.slack.waitForResponse((p) => p.id === responseId);
    expect(answer.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    return String(answer.body.text);
  };

  it('the DevOps lead asks; the approval message in the thread carries the data-loss estimate', async () => {
    const ack = await ctx.world.bot.sender.slashCommand({
      text: `schema ${SERVICE} ${AI} AI notes corrupt the clinical record`,
      userId: 'U0DEVOPS1',
    });
    expect(ack.status).toBe(200);
    const answer = ack.json() as { response_type: string; text: string };
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toMatch(
      /schema rollback of dr-amal-clinical-os started as INC-\S+\. It waits for the CTO’s approval/,
    );
    incidentId = /started as (INC-\S+)\./.exec(answer.text)?.[1] ?? '';
    approvalId = `${incidentId}-A1`;

    const root = await ctx.world.waitForPost('ROLLBACK IN PROGRESS');
    expect(root.text).toContain(AI);
    // The estimate is measured on the live app database, then the approval message is updated in place.
    await ctx.world.waitForPost('ClinicalNote.aiSummary', 20_000);
    const posted = ctx.world.slack
      .callsOf('chat.postMessage')
      .find((c) => c.answer.ok && String(c.params.text).includes('CTO approval needed'));
    expect(posted?.params.thread_ts).toBe(
      ctx.world.slack.callsOf('chat.postMessage').find((c) => String(c.params.text).includes('ROLLBACK IN PROGRESS'))
        ?.answer.ts,
    );
    approvalTs = String(posted?.answer.ts);
    const latest = ctx.world.postsWith('CTO approval needed').at(-1)?.text ?? '';
    expect(latest).toContain('table `public.AiRun` dropped: 10 row(s) lost');
    expect(latest).toContain('column `public.ClinicalNote.aiSummary` dropped: 30 non-empty value(s) in 50 row(s) lost');
    expect(latest).toContain(
      'column `public.ClinicalNote.aiGenerated` dropped: 50 non-empty value(s) in 50 row(s) lost',
    );
    expect(latest).toContain(APPROVE);
    // The approver sees the shadow verdict with live rows before approving.
    expect(latest).toMatch(/Shadow check with live rows \(.*AiRun 10.*\): verified/);
    expect((await timeline('schema_plan'))[0]?.message).toMatch(/4 table\(s\)\/column\(s\) would be archived/);
    expect(await approval()).toEqual({ decision: 'pending', decided_by: null });
    expect((await schemaStep()).state).toBe('awaiting_approval');
  });

  it(
    'refuses Approve from the DevOps lead and from someone without a role, naming the ' + 'CTO; nothing changes',
    async () => {
      for (const user of ['U0DEVOPS1', 'U0NOBODY1']) {
        const text = await click(user, APPROVE);
        expect(text).toContain('Only the CTO may approve a schema rollback.');
      }
      expect(await click('U0NOBODY1', REJECT)).toContain('Only the CTO may reject a schema rollback.');
      const refused = await timeline('approval_refused');
      expect(refused.map((r) => r.actor)).toEqual(['U0DEVOPS1', 'U0NOBODY1', 'U0NOBODY1']);
      expect(refused[0]?.message).toMatch(/approve by <@U0DEVOPS1> refused: Only the CTO/);
      expect(await approval()).toEqual({ decision: 'pending', decided_by: null });
      expect(await schemaStep()).toEqual({ state: 'awaiting_approval', attempts: 0 });
      expect(await migrationRow()).toEqual([{ rolled_back_at: null }]);
      expect(diffCatalogs(ctx.deployed, await withClient(ctx.app.url, readCatalog))).toEqual([]);
    },
  );

  it(
    'Approve by the CTO runs the rollback: values archived, migration marked rolled ' + 'back, ROLLBACK COMPLETE',
    async () => {
      const dropped = await withClient(ctx.app.url, async (c) => ({
        summary: (await c.query(`SELECT id, "aiSummary" FROM "ClinicalNote" WHERE "aiSummary" IS NOT NULL ORDER BY id`))
          .rows,
        runs: (await c.query(`SELECT id, "noteId", output FROM "AiRun" ORDER BY id`)).rows,
      }));
      expect(await click('U0CTO0001', APPROVE)).toBe(`You approved schema-rollback for ${incidentId}.`);
      const complete = await ctx.world.waitForPost('ROLLBACK COMPLETE', 20_000);
      expect(complete.text).toContain(`Reverted to before migration ${AI}`);
      // No verification step in a schema plan: the message says what was proven, not "All systems operational".
      expect(complete.text).toContain(
        `Schema rolled back: ${AI} is marked rolled back in _prisma_migrations; 4 ` +
          `table/column copies archived in rollback_archive.`,
      );
      expect(complete.text).not.toContain('All systems operational');
      const outcome = ctx.world.postsWith('ROLLBACK COMPLETE').at(-1)?.text ?? '';
      expect(outcome).toContain(`Remove the folder prisma/migrations/${AI} from the deploy branch`);
      expect(outcome).toContain(`Deploy code that expects the old schema (runbook step 5): /rollback ${SERVICE}`);
      await ctx.world.waitForPost('Approved* by <@U0CTO0001>');

      expect(await approval()).toEqual({ decision: 'approved', decided_by: 'U0CTO0001' });
      expect(await schemaStep()).toEqual({ state: 'succeeded', attempts: 1 });
      const [incident] = await rows<{ state: string }>(ctx.bot.url, 'SELECT state FROM incidents WHERE id = $1', [
        incidentId,
      ]);
      expect(incident?.state).toBe('resolved');
      const [marked] = await migrationRow();
      expect(marked?.rolled_back_at).toBeInstanceOf(Date);

      await withClient(ctx.app.url, async (c) => {
        const columns = await c.query(
          `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' ` +
            `AND table_name = 'ClinicalNote'`,
        );
        expect(columns.rows.map((r: { column_name: string }) => r.column_name)).not.toEqual(
          expect.arrayContaining(['aiSummary']),
        );
        expect((await c.query(`SELECT to_regclass('public."AiRun"') AS t`)).rows[0].t).toBeNull();
        const manifest = await c.query<{
          archive_table: string;
          source_table: string;
          source_column: string | null;
          incident_id: string;
        }>(
          `SELECT archive_table, source_table, source_column, incident_id FROM ` +
            `rollback_archive.manifest ORDER BY source_table, source_column`,
        );
        expect(manifest.rows.map((m) => [m.source_table, m.source_column, m.incident_id])).toEqual([
          ['AiRun', null, incidentId],
          ['ClinicalNote', 'aiGenerated', incidentId],
          ['ClinicalNote', 'aiSummary', incidentId],
          // The inverse of SET DATA TYPE rewrites "body", so its values are archived too.
          ['ClinicalNote', 'body', incidentId],
        ]);
        const archived = (table: string | null, column: string | null): string => {
          const row = manifest.rows.find((m) => m.source_table === table && m.source_column === column);
          return `rollback_archive."${row?.archive_table}"`;
        };
        expect(
          (await c.query(`SELECT id, "aiSummary" FROM ${archived('ClinicalNote', 'aiSummary')} ORDER BY id`)).rows,
        ).toEqual(dropped.summary);
        expect((await c.query(`SELECT id, "noteId", output FROM ${archived('AiRun', null)} ORDER BY id`)).rows).toEqual(
          dropped.runs,
        );
      });
      const kinds = (
        await rows<{ kind: string }>(ctx.bot.url, 'SELECT kind FROM timeline WHERE incident_id = $1 ORDER BY id', [
          incidentId,
        ])
      ).map((r) => r.kind);
      expect(kinds.indexOf('approval_approved')).toBeGreaterThan(kinds.indexOf('schema_plan'));
      expect(kinds.at(-1)).toBe('incident_state');
    },
  );

  it('a button of the closed incident gets a clear ephemeral answer, is recorded, and changes nothing', async () => {
    await ctx.world.bot.bot.engine.runner.idle();
    const before = await rows<{ archive_table: string }>(
      ctx.app.url,
      'SELECT archive_table FROM rollback_archive.manifest ORDER BY 1',
    );
    for (const actionId of [APPROVE, REJECT]) {
      const text = await click('U0CTO0001', actionId);
      expect(text).toContain(`Incident ${incidentId} is resolved; its buttons no longer do anything.`);
      expect(text).toContain('/rollback');
    }
    const refused = await timeline('approval_refused');
    expect(refused.slice(-2).map((r) => r.message)).toEqual([
      'approve refused: the incident is resolved.',
      'reject refused: the incident is resolved.',
    ]);
    expect(await approval()).toEqual({ decision: 'approved', decided_by: 'U0CTO0001' });
    expect(await schemaStep()).toEqual({ state: 'succeeded', attempts: 1 });
    expect(await rows(ctx.app.url, 'SELECT archive_table FROM rollback_archive.manifest ORDER BY 1')).toEqual(before);
  });
});

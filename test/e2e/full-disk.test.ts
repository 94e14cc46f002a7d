/**
 * Issue 16 item 7, a full disk, over HTTP with the stand-ins and real
 * PostgreSQL: when the bot's own database answers "No space left on device"
 * (SQLSTATE 53100, raised here by a trigger, as PostgreSQL raises it when it
 * cannot extend a file), /rollback says in plain words what was and was not
 * done: nothing was recorded, production was not touched, and what to free.
 * Once the disk has room again the same command works.
 */
import { APPROVE } from '../../src/slack/action-ids';
import { rows } from '../support/database';
import { SERVICE, useWorld } from '../support/incident-world';
import { AI, useSchemaWorld } from '../support/schema-world';

jest.setTimeout(90_000);

const fullDisk = (table: string, on: string): string => `
CREATE OR REPLACE FUNCTION disk_is_full() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'could not extend file "base/16384/16601": No space left on device' USING ERRCODE = '53100',
    HINT = 'Check free disk space.';
END $$;
CREATE TRIGGER disk_is_full BEFORE ${on} ON ${table} FOR EACH ROW EXECUTE FUNCTION disk_is_full();`;
const NOTHING_DONE =
  /Nothing was done: nothing was recorded, no incident was opened or changed, and production was not touched/;
const RAW = /could not extend file|53100|base\/16384/;

describe('the bot’s database disk is full', () => {
  const ctx = useWorld('e2e_full_disk');
  const slash = async (text: string): Promise<string> =>
    ((await ctx.world.bot.sender.slashCommand({ text, userId: 'U0DEVOPS1' })).json() as { text: string }).text;

  it('/rollback says nothing was recorded or moved and what to free, then works once there is room', async () => {
    const { world } = ctx;
    await rows(ctx.database.url, fullDisk('incidents', 'INSERT'));
    const reply = await slash(`${SERVICE} to ${world.history.good.id} sign-in broken`);
    expect(reply).toMatch(/out of disk space/i);
    expect(reply).toMatch(NOTHING_DONE);
    expect(reply).toMatch(/[Ff]ree space/);
    expect(reply).not.toMatch(RAW);
    expect(await rows(ctx.database.url, 'SELECT id FROM incidents')).toEqual([]);
    expect(world.vercel.state.count('POST', '/rollback/')).toBe(0);

    await rows(ctx.database.url, 'DROP TRIGGER disk_is_full ON incidents');
    expect(await slash(`${SERVICE} to ${world.history.good.id} sign-in broken`)).toMatch(/INC-/);
  });
});

describe('the bot’s database disk fills while a schema rollback waits for the CTO', () => {
  const ctx = useSchemaWorld('e2e_full_disk_approval', {
    afterInit: async (url) => void (await rows(url, `INSERT INTO "User" (email, name) VALUES ('a@x', 'A')`)),
    afterAi: async (url) =>
      void (await rows(url, `INSERT INTO "ClinicalNote" ("userId", body, "aiSummary") VALUES (1, 'note', 'summary')`)),
  });

  it('the CTO’s click is answered with what was not done, the plan waits, and a later click runs it', async () => {
    const { world } = ctx;
    const ack = (
      await world.bot.sender.slashCommand({ text: `schema ${SERVICE} ${AI} AI notes corrupt`, userId: 'U0DEVOPS1' })
    ).json() as { text: string };
    const incidentId = /started as (INC-\S+)\./.exec(ack.text)?.[1] ?? '';
    await world.waitForPost('ClinicalNote.aiSummary', 30_000);
    const approvalId = `${incidentId}-A1`;
    const click = async (responseId: string): Promise<string> => {
      await world.bot.sender.blockAction({
        userId: 'U0CTO0001',
        actionId: APPROVE,
        value: approvalId,
        blockId: `approval:${approvalId}`,
        responseId,
      });
      return JSON.stringify((await world.slack.waitForResponse((p) => p.id === responseId)).body);
    };

    await rows(ctx.bot.url, fullDisk('approvals', 'UPDATE'));
    const refused = await click('full-disk-approve');
    expect(refused).toMatch(/out of disk space/i);
    expect(refused).toMatch(NOTHING_DONE);
    expect(refused).not.toMatch(RAW);
    const [pending] = await rows<{ decision: string }>(ctx.bot.url, 'SELECT decision FROM approvals WHERE id = $1', [
      approvalId,
    ]);
    expect(pending?.decision).toBe('pending');
    const migrationRolledBack =
      'SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1 AND rolled_back_at IS NOT NULL';
    expect(await rows(ctx.app.url, migrationRolledBack, [AI])).toHaveLength(0);

    await rows(ctx.bot.url, 'DROP TRIGGER disk_is_full ON approvals');
    expect(await click('room-again-approve')).toContain(`You approved schema-rollback for ${incidentId}.`);
  });
});

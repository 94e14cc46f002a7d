/**
 * `/rollback preflight <service>` over Slack: the same checklist as the CLI,
 * run after the 3-second ack against the Vercel stand-in (what production
 * runs, the rollback target), a real git origin (the candidate's migrations
 * and .env.example) and the real schema lint, answered through response_url.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE, useWorld } from '../support/incident-world';

const dataDir = mkdtempSync(join(tmpdir(), 'rollback-bot-preflight-'));
const INIT = 'CREATE TABLE "User" ("id" TEXT PRIMARY KEY, "phone" TEXT);\n';

interface Answer {
  text: string;
  blocks: { text?: { text: string } }[];
}

describe('/rollback preflight over Slack', () => {
  const ctx = useWorld('follow_preflight', {
    // Tuesday 23:30 in New York: inside the default 11 PM to 5 AM deploy window.
    at: '2026-01-21T04:30:00Z',
    env: { ROLLBACK_DATA_DIR: dataDir, ROLLBACK_PREFLIGHT_ENV_NAMES: 'DATABASE_URL,FEATURE_FLAGS_URL' },
    goodFiles: { 'prisma/migrations/20260101000000_init/migration.sql': INIT, '.env.example': 'DATABASE_URL=\n' },
    badFiles: {
      'prisma/migrations/20260118000000_add_flag/migration.sql': 'ALTER TABLE "User" ADD COLUMN "flag" BOOLEAN;\n',
      '.env.example': 'DATABASE_URL=\nFEATURE_FLAGS_URL=\n',
    },
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  async function preflight(responseId: string): Promise<{ ack: string; answer: Answer; body: string }> {
    const started = performance.now();
    const ack = (
      await ctx.world.bot.sender.slashCommand({ text: `preflight ${SERVICE}`, userId: 'U0NOBODY1', responseId })
    ).json() as { text: string };
    // The ack does not wait for git and Vercel.
    expect(performance.now() - started).toBeLessThan(3000);
    const answer = (await ctx.world.slack.waitForResponse((p) => p.id === responseId, 20_000))
      .body as unknown as Answer;
    return { ack: ack.text, answer, body: answer.blocks.map((b) => b.text?.text ?? '').join('\n') };
  }

  it('passes a candidate production already runs, inside the window, with every variable set', async () => {
    const { ack, answer, body } = await preflight('pass1');
    expect(ack).toMatch(/Running the pre-deployment checklist for dr-amal-clinical-os/);
    expect(answer.text).toBe('Pre-deployment checklist for dr-amal-clinical-os: Ready to deploy.');
    const short = ctx.world.history.badCommit.slice(0, 7);
    expect(body).toContain(`*Candidate* \`${short}\` · *live* \`${short}\``);
    expect(body).toContain(
      `✅ *Database migrations backward compatible* passed: The candidate ${short} is ` +
        `the commit production already runs.`,
    );
    expect(body).toContain(
      '✅ *Environment variables complete* passed: All 2 variable(s) in .env.example are set in production.',
    );
    expect(body).toMatch(/✅ \*Inside the low-traffic deploy window\* passed: It is tue 23:30 America\/New_York/);
    expect(body).toContain('✅ *On-call engineer set* passed');
    expect(body).toMatch(
      new RegExp(
        /✅ \*Rollback target exists\* passed: /.source +
          /Production can be rolled back to dpl_\w+ \(version 1\.9\.0, commit [0-9a-f]{7}/.source,
      ),
    );
    expect(ctx.world.vercel.state.production()?.id).toBe(ctx.world.history.bad.id);
  });

  it(
    'fails a candidate that drops a column and needs an unset variable, outside the ' + 'window, naming each check',
    async () => {
      ctx.world.git.commit(
        {
          'prisma/migrations/20260119000000_drop_phone/migration.sql': 'ALTER TABLE "User" DROP COLUMN "phone";\n',
          '.env.example': 'DATABASE_URL=\nFEATURE_FLAGS_URL=\nSTRIPE_SECRET_KEY=\n',
        },
        'drop phone',
      );
      ctx.world.git.push();
      ctx.world.clock.advance(12 * 3_600_000); // Wednesday 11:30 in New York
      const { answer, body } = await preflight('fail1');
      expect(answer.text).toBe('Pre-deployment checklist for dr-amal-clinical-os: Not ready: 3 check(s) failed.');
      expect(body).toMatch(
        new RegExp(
          /❌ \*Database migrations backward compatible\* /.source +
            /FAILED: 1 of 1 new migration\(s\) would break .*: 20260119000000_drop_phone\./.source,
        ),
      );
      expect(body).toMatch(/• dangerous 20260119000000_drop_phone\/migration\.sql:1 /);
      expect(body).toMatch(/_Fix:_ Split each dangerous change/);
      expect(body).toContain(
        '❌ *Environment variables complete* FAILED: 1 of 3 variable(s) in .env.example ' +
          'are not set in production: STRIPE_SECRET_KEY.',
      );
      expect(body).toMatch(
        /❌ \*Inside the low-traffic deploy window\* FAILED: It is wed 11:30 America\/New_York, outside/,
      );
      expect(body).toContain('✅ *On-call engineer set* passed');
      expect(body).toContain('✅ *Rollback target exists* passed');
    },
  );

  it('answers at once when the service is unknown or missing', async () => {
    const unknown = (
      await ctx.world.bot.sender.slashCommand({ text: 'preflight no-such-app', userId: 'U0NOBODY1' })
    ).json() as { text: string };
    expect(unknown.text).toMatch(/Unknown service `no-such-app`/);
    const missing = (await ctx.world.bot.sender.slashCommand({ text: 'preflight', userId: 'U0NOBODY1' })).json() as {
      text: string;
    };
    expect(missing.text).toMatch(/`\/rollback preflight` needs a service/);
  });
});

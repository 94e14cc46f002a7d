/**
 * `rollback-bot preflight` end to end: the Vercel stand-in serves production,
 * a real git repository holds the candidate, and the real schema lint judges
 * the migrations. Only the clock is injected, to sit inside or outside the window.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../src/cli/preflight';
import { ManualClock } from '../../src/rollback/clock';
import { startSlackStandin } from '../../src/standins/slack/server';
import { type VercelStandin, startVercelStandin } from '../../src/standins/vercel/server';
import { type Sandbox, createSandbox } from '../git/support/git-fixture';
import { exampleServiceRaw, servicesYaml } from '../support/services';

const INSIDE_WINDOW = '2026-01-17T04:30:00Z'; // 23:30 in New York
const OUTSIDE_WINDOW = '2026-01-17T15:00:00Z'; // 10:00 in New York

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

interface JsonReport {
  passed: boolean;
  candidate: string;
  live: string;
  checks: { id: string; status: string; detail: string; notes: string[] }[];
}

describe('rollback-bot preflight', () => {
  let sandbox: Sandbox;
  let standin: VercelStandin;
  let env: NodeJS.ProcessEnv;
  let live: string;
  let previous: string;

  beforeAll(async () => {
    sandbox = createSandbox();
    standin = await startVercelStandin({ teamId: 'team_dramal', projectName: 'dr-amal-clinical-os' });
    previous = sandbox.commit(
      {
        'prisma/migrations/20260101000000_init/migration.sql':
          'CREATE TABLE "User" ("id" TEXT PRIMARY KEY, "phone" TEXT);\n',
        '.env.example': 'DATABASE_URL=\n',
      },
      'init',
    );
    live = sandbox.commit({ 'src/app.ts': 'export {};\n' }, 'feature');
    sandbox.push();
    standin.state.addDeployment({ version: '1.9.0', commit: previous, live: true });
    standin.state.addDeployment({ version: '2.0.0', commit: live, live: true });

    const raw = exampleServiceRaw({ git: { remote: sandbox.origin }, production: { url: standin.appUrl } });
    delete (raw.git as Record<string, unknown>).tokenEnv;
    const configPath = join(sandbox.root, 'rollback.config.yaml');
    // A second service whose git token is not in this CI job's environment must not stop the check of the first.
    const other = exampleServiceRaw({
      name: 'other-app',
      git: { remote: sandbox.origin, tokenEnv: 'OTHER_APP_GIT_TOKEN' },
    });
    writeFileSync(configPath, servicesYaml([raw, other]));
    mkdirSync(join(sandbox.root, 'data'));
    env = {
      PATH: sandbox.env.PATH,
      HOME: sandbox.env.HOME,
      ROLLBACK_CONFIG: configPath,
      ROLLBACK_DATA_DIR: join(sandbox.root, 'data'),
      VERCEL_TOKEN: standin.token,
      VERCEL_API_URL: standin.url,
    };
  });

  afterAll(async () => {
    await standin.stop();
    sandbox.cleanup();
  });

  async function preflight(argv: string[], at: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Outcome> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(
      argv,
      { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: { ...env, ...extraEnv } },
      { clock: new ManualClock(at) },
    );
    return { code, stdout: out.join(''), stderr: err.join('') };
  }

  it('passes a candidate with a backward-compatible migration and complete variables, inside the window', async () => {
    const candidate = sandbox.commit(
      {
        'prisma/migrations/20260118000000_add_flag/migration.sql': 'ALTER TABLE "User" ADD COLUMN "flag" BOOLEAN;\n',
        '.env.example': 'DATABASE_URL=\nFEATURE_FLAGS_URL=\n',
      },
      'add flag',
    );
    sandbox.push();
    const envFile = join(sandbox.root, 'production.env');
    writeFileSync(envFile, 'DATABASE_URL\nFEATURE_FLAGS_URL\nOTHER\n');
    const result = await preflight(['dr-amal-clinical-os', '--production-env', envFile], INSIDE_WINDOW);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`candidate ${candidate.slice(0, 7)}, live ${live.slice(0, 7)}`);
    expect(result.stdout).toContain(
      '[PASS] Database migrations backward compatible: 1 new migration(s) checked, none ' +
        'dangerous: 20260118000000_add_flag.',
    );
    expect(result.stdout).toMatch(/\[PASS\] Environment variables complete: All 2 variable\(s\)/);
    expect(result.stdout).toMatch(/\[PASS\] Inside the low-traffic deploy window/);
    expect(result.stdout).toMatch(/\[PASS\] On-call engineer set/);
    // The deployments' own hosts are not reachable here, so the version is unknown; the commit comes from Vercel.
    expect(result.stdout).toMatch(
      new RegExp(
        `\\[PASS\\] Rollback target exists: Production can be rolled back to dpl_\\w+ ` +
          `\\(commit ${previous.slice(0, 7)}`,
      ),
    );
    // No bot token in this job: the alerts channel cannot be asked about, and the report says so.
    expect(result.stdout).toContain(
      '[SKIP] The bot is in the alerts channel (incident threads can be posted): Cannot ' +
        'check whether the bot is in <#C0PRODALRT>: SLACK_BOT_TOKEN is not set.',
    );
    expect(result.stdout).toContain('Ready to deploy (1 check(s) skipped).');
    expect(result.code).toBe(0);
  });

  it(
    'exits 1 with each failing check named when the candidate drops a column, misses ' + 'a variable and it is daytime',
    async () => {
      const candidate = sandbox.commit(
        {
          'prisma/migrations/20260119000000_drop_phone/migration.sql': 'ALTER TABLE "User" DROP COLUMN "phone";\n',
          '.env.example': 'DATABASE_URL=\nFEATURE_FLAGS_URL=\nSTRIPE_SECRET_KEY=\n',
        },
        'drop phone',
      );
      sandbox.push();
      const result = await preflight(['dr-amal-clinical-os', '--format', 'json'], OUTSIDE_WINDOW, {
        ROLLBACK_PREFLIGHT_ENV_NAMES: 'DATABASE_URL,FEATURE_FLAGS_URL',
      });
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as JsonReport;
      expect(report.passed).toBe(false);
      expect(report.candidate).toBe(candidate);
      const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
      expect(byId.migrations?.status).toBe('fail');
      expect(byId.migrations?.detail).toContain('20260119000000_drop_phone');
      expect(byId.migrations?.notes.join('\n')).toMatch(/dangerous 20260119000000_drop_phone\/migration\.sql:1/);
      expect(byId.environment).toMatchObject({ status: 'fail', notes: ['STRIPE_SECRET_KEY'] });
      expect(byId['deploy-window']?.status).toBe('fail');
      expect(byId['on-call']?.status).toBe('pass');
      expect(byId['rollback-target']?.status).toBe('pass');
    },
  );

  it('checks an earlier candidate named with --candidate and skips the variables when no list is given', async () => {
    const result = await preflight(
      ['dr-amal-clinical-os', '--candidate', live.slice(0, 10), '--format', 'json'],
      INSIDE_WINDOW,
    );
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.checks.map((c) => c.status)).toEqual(['pass', 'skip', 'pass', 'pass', 'pass', 'pass', 'skip']);
    expect(result.code).toBe(0);
  });

  it(
    'with SLACK_BOT_TOKEN set, asks Slack whether the bot is in the alerts channel: ' +
      'fails with the /invite fix until it is invited',
    async () => {
      const slack = await startSlackStandin({
        token: 'xoxb-preflight',
        channels: { C0PRODALRT: 'prod-alerts' },
        channelsWithoutBot: ['C0PRODALRT'],
      });
      try {
        const withSlack = { SLACK_BOT_TOKEN: 'xoxb-preflight', SLACK_API_URL: slack.apiUrl };
        const outside = await preflight(
          ['dr-amal-clinical-os', '--candidate', live, '--format', 'json'],
          INSIDE_WINDOW,
          withSlack,
        );
        const refused = (JSON.parse(outside.stdout) as JsonReport & { checks: { fix: string | null }[] }).checks.find(
          (c) => c.id === 'alerts-channel',
        );
        expect(refused).toMatchObject({
          status: 'fail',
          detail: expect.stringContaining('The bot is not in <#C0PRODALRT>'),
          fix: 'run `/invite @rollback-bot` in <#C0PRODALRT>.',
        });
        expect(outside.code).toBe(1);
        expect(slack.calls.filter((c) => c.method === 'conversations.info').map((c) => c.params.channel)).toEqual([
          'C0PRODALRT',
        ]);

        slack.setBotMember('C0PRODALRT', true);
        const invited = await preflight(
          ['dr-amal-clinical-os', '--candidate', live, '--format', 'json'],
          INSIDE_WINDOW,
          withSlack,
        );
        expect((JSON.parse(invited.stdout) as JsonReport).checks.find((c) => c.id === 'alerts-channel')).toMatchObject({
          status: 'pass',
          detail: 'The bot is a member of <#C0PRODALRT>.',
        });
        expect(invited.code).toBe(0);
      } finally {
        await slack.stop();
      }
    },
  );

  it('exits 2 on usage and configuration errors', async () => {
    expect((await preflight([], INSIDE_WINDOW)).code).toBe(2);
    expect((await preflight(['dr-amal-clinical-os', '--format', 'xml'], INSIDE_WINDOW)).stderr).toMatch(
      /--format expects text or json/,
    );
    const unknown = await preflight(['no-such-service'], INSIDE_WINDOW);
    expect(unknown).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /Unknown service "no-such-service"\. Known services: dr-amal-clinical-os, other-app\./,
      ),
    });
    const noToken = await preflight(['dr-amal-clinical-os'], INSIDE_WINDOW, { VERCEL_TOKEN: '' });
    expect(noToken).toMatchObject({ code: 2, stderr: expect.stringMatching(/VERCEL_TOKEN is not set/) });
  });

  it(
    'checks a service whose git token is unset, naming the variable as an unavailable ' +
      'capability instead of stopping',
    async () => {
      const result = await preflight(['other-app'], INSIDE_WINDOW);
      expect(result.stdout).toContain(
        '[UNAVAILABLE] Git reverts unavailable: OTHER_APP_GIT_TOKEN is not set (git.tokenEnv).',
      );
      // Its git checks fail with the same variable named; the checklist still runs to a verdict (exit 1, not 2).
      expect(result.stdout).toContain(
        '[FAIL] Database migrations backward compatible: Could not determine the ' +
          'candidate commit: The environment variable OTHER_APP_GIT_TOKEN',
      );
      expect(result.code).toBe(1);
    },
  );
});

/**
 * `rollback-bot drill` as a user runs it: a real process, the real bot with
 * its HTTP endpoint, the stand-ins, a scratch git origin and app database.
 * Proves the whole runbook plays through to exit 0 with the thread, the
 * per-step progress and the metrics table printed, and that nothing is left
 * behind (folders, servers, databases); and that a rollback that cannot ship
 * makes the drill exit 1 naming the step, on the embedded server.
 */
import { Client } from 'pg';
import { eventually } from '../support/wait';
import { leftListening, printedFolder, printedPorts, runDrillProcess } from './drill-process';

const serverUrl = (): string => {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  return url;
};

/**
 * The drill's databases added since `before`: its own scratch databases, named in its output, and shadow
 * databases. Other test files create and drop shadow databases while the drill
 * runs (jest runs files in parallel): a shadow database is the drill's leak only if it is still there once those
 * have had time to finish.
 */
async function addedDatabases(before: readonly string[], out: string): Promise<string[]> {
  // Another drill (test/github) may run beside this one: its scratch databases are not this run's.
  const own = new Set(out.match(/rollback_drill_\w+?_(bot|app)\b/g));
  const ours = (name: string): boolean => !name.startsWith('rollback_drill_') || own.has(name);
  const added = async (): Promise<string[]> =>
    (await drillDatabases()).filter((name) => !before.includes(name) && ours(name)).sort();
  const lingering = (names: string[]): boolean => names.some((n) => n.startsWith('rollback_shadow_'));
  return eventually(added, (names) => !lingering(names), 20_000).catch(() => added());
}

async function drillDatabases(): Promise<string[]> {
  const client = new Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return (
      await client.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE datname LIKE 'rollback_drill_%' OR datname LIKE 'rollback_shadow_%'",
      )
    ).rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
}

interface IncidentPost {
  readonly incidentId: string;
  readonly updated: boolean;
  readonly rollingBack: boolean;
}

/** The bot's top-level posts in #prod-alerts that belong to an incident, as the drill printed them. */
function incidentPosts(out: string): IncidentPost[] {
  const blocks = out.split(/\n(?= {4}#prod-alerts {2}rollback-bot {2}\d\d:\d\d:\d\d)/).slice(1);
  return blocks.flatMap((block) => {
    const [header = '', ...rest] = block.split('\n');
    const body = rest.filter((line) => line.startsWith('    │')).join('\n');
    const incidentId = /Incident (INC-\d{8}-[0-9A-F]+)/.exec(body)?.[1];
    if (!incidentId) return [];
    return [{ incidentId, updated: header.endsWith('(updated)'), rollingBack: body.includes('ROLLBACK IN PROGRESS') }];
  });
}

describe('rollback-bot drill', () => {
  it(
    'plays the runbook end to end through the real bot, prints thread, steps and ' +
      'metrics, exits 0 and leaves nothing behind',
    async () => {
      const before = await drillDatabases();
      // A drill takes about 90 s alone; on a shared 2-core machine it can take twice that.
      const run = await runDrillProcess([], { DATABASE_URL: serverUrl() }, 230_000);
      const out = run.stdout;
      if (run.code !== 0) throw new Error(`drill exited ${run.code}:\n${out.slice(-6000)}\n${run.stderr}`);
      expect(run.stderr).toBe('');
      for (let step = 1; step <= 6; step += 1)
        expect(out).toMatch(new RegExp(`\\[${step}/6\\] PASSED in \\d+\\.\\d s`));
      // The thread as a reader sees it: the root post, the outcome, the approval, the checklist.
      expect(out).toContain('│ 🚨 ROLLBACK IN PROGRESS');
      expect(out).toContain('│ ✅ ROLLBACK COMPLETE');
      expect(out).toMatch(
        new RegExp(
          /the bot opened INC-\S+ \d+\.\d s after 2\.0\.0-beta went live and posted ROLLBACK IN PROGRESS /.source +
            /\(trigger: MUST roll back: 5xx error rate \(detected from Alertmanager HighHttp5xxRate\)\)/.source,
        ),
      );
      // Step 2 checked the bot's own figures against what the drill saw (it would have failed otherwise).
      expect(out).toMatch(
        new RegExp(
          /the bot's figures for INC-\S+: detection [\d.]+ s /.source +
            /\(deployment went live → detected from Alertmanager HighHttp5xxRate\); downtime [\d.]+ s/.source,
        ),
      );
      expect(out).toMatch(
        /only visible to @devops-lead .*\n.*│ git revert \(Option A\) of dr-amal-clinical-os started as INC-/,
      );
      expect(out).toContain('@cto');
      expect(out).toContain('restored 30 rows from rollback_archive.ClinicalNote__aiSummary_');
      expect(out).toContain('every archived value is back, identical to before the rollback: no data lost');
      // Each message once: an incident's root post is printed as posted once, later only as "(updated)".
      const posted = incidentPosts(out)
        .filter((p) => !p.updated)
        .map((p) => p.incidentId);
      expect(posted.length).toBe(new Set(posted).size);
      // Three incidents of the rollback steps posted ROLLBACK IN PROGRESS as their root, and the release's abort
      // has an incident of its own, or is carried by one the production monitor opened first on the canary's
      // share (its root then says ROLLBACK IN PROGRESS as an update; step 6 checks that it did).
      const [steps1to5 = ''] = out.split('[6/6]');
      const rolledBack = incidentPosts(steps1to5).filter((p) => !p.updated && p.rollingBack);
      expect(rolledBack.length).toBe(3);
      expect(out).toMatch(/the guard aborted the release [\d.]+ s after \/rollout \(INC-\d{8}-[0-9A-F]+\)/);
      // Step 6: the release aborted by its canary, each check a PASS line.
      expect(out).toContain('[6/6] A progressive release (/rollout) aborted by a canary failure at 10%');
      expect(out).toMatch(/│ \/rollout dr-amal-clinical-os dpl_\S+( override window .+)?\n/);
      for (const check of [
        '/rollout started the release at 10%',
        'ROLLBACK IN PROGRESS posted',
        'ROLLBACK COMPLETE posted',
        'the release aborted at the 10% stage',
        "Vercel's rolling release ABORTED at its first stage",
        'all of 20 production requests answered by the base',
        'the CTO told in a direct message',
        '/rollback stats: 1 release, 1 abort, 10% exposed at abort',
      ]) {
        expect(out).toContain(`· PASS  ${check}`);
      }
      expect(out).not.toContain('· FAIL  ');
      // The metrics table, every target met.
      expect(out).toMatch(/\| Metric +\| Target +\| Measured +\| Result \|/);
      expect(out).toContain(
        "Rollback metrics against the runbook's targets (the bot's own /rollback stats for the drill's incidents):",
      );
      expect(out).toMatch(/\| Detection time \(deployment → detected\) +\| < 5 min +\| [\d.]+ s.* +\| PASS +\|/);
      expect(out).toMatch(/\| Execution time \(decision → restored\) +\| < 5 min +\| .+\| PASS +\|/);
      expect(out).toMatch(/\| Downtime \(impact start → restored\) +\| < 15 min +\| .+\| PASS +\|/);
      expect(out).toMatch(/\| Data loss \(archived values not restored\) +\| 0 +\| 0 row\(s\) +\| PASS +\|/);
      expect(out).toMatch(/Drill PASSED in \d+\.\d s: every step and every target passed\./);
      // Nothing left behind: its folder, its servers, its databases.
      expect(run.leftInTmp).toEqual([]);
      const pgPort = Number(new URL(serverUrl()).port || 5432);
      const ports = printedPorts(out).filter((p) => p !== pgPort);
      expect(ports.length).toBe(4);
      expect(await leftListening(ports, printedFolder(out))).toEqual([]);
      expect(await addedDatabases(before, out)).toEqual([]);
    },
    240_000,
  );

  it(
    '--detect probes: with the alert source silent the bot detects from its own ' +
      'probes, and passes only with honest figures',
    async () => {
      const run = await runDrillProcess(['--detect', 'probes'], { DATABASE_URL: serverUrl() }, 230_000);
      const out = run.stdout;
      if (run.code !== 0) throw new Error(`drill exited ${run.code}:\n${out.slice(-6000)}\n${run.stderr}`);
      expect(out).toContain('--detect probes: the alert source is silent');
      expect(out).toContain(
        '[2/6] The bot detects it from its own probes (alerts silent) and rolls production back (autopilot)',
      );
      expect(out).not.toMatch(/Alertmanager +\d\d:\d\d:\d\d/);
      expect(out).toMatch(/\(detected from the (sign-in probe|bot’s probes \(5xx answers\))\)/);
      expect(out).toMatch(
        /the bot's figures for INC-\S+: detection [\d.]+ s \(deployment went live → detected from the [^)]*probe/,
      );
      for (let step = 1; step <= 6; step += 1)
        expect(out).toMatch(new RegExp(`\\[${step}/6\\] PASSED in \\d+\\.\\d s`));
      expect(out).toMatch(/Drill PASSED in \d+\.\d s: every step and every target passed\./);
    },
    240_000,
  );

  it(
    'on the embedded server: a revert whose build fails makes the drill exit 1 naming ' +
      'step 3, and it still cleans up',
    async () => {
      const run = await runDrillProcess(['--break', 'vercel-build'], { DATABASE_URL: undefined });
      const out = run.stdout;
      expect(run.code).toBe(1);
      expect(out).toContain('--break vercel-build: every production build after the bad deployment ends in ERROR');
      expect(out).toMatch(/\[1\/6\] PASSED/);
      expect(out).toMatch(/\[3\/6\] FAILED in [\d.]+ s: INC-\S+: the git revert failed: /);
      expect(out).toContain('❌ ROLLBACK FAILED');
      expect(out).toMatch(/FAIL {2}step 3\/6 {2}Git revert of the bad commit and the new deployment/);
      expect(out).toMatch(/Drill FAILED in [\d.]+ s: .*step 3\/6 failed/);
      expect(run.leftInTmp).toEqual([]);
      const ports = printedPorts(out);
      expect(ports.length).toBe(5);
      expect(await leftListening(ports, printedFolder(out))).toEqual([]);
    },
    180_000,
  );
  it('with --keep leaves its folder and both databases for inspection and says where they are', async () => {
    const before = await drillDatabases();
    const run = await runDrillProcess(['--keep', '--break', 'vercel-promote'], { DATABASE_URL: serverUrl() });
    const out = run.stdout;
    expect(run.code).toBe(1);
    expect(out).toMatch(/\[2\/6\] FAILED/);
    const kept = /folder (\S+): git\/origin\.git .*bot\.log/.exec(out);
    expect(kept).not.toBeNull();
    expect(run.leftInTmp).toEqual([String(kept?.[1]).split('/').pop()]);
    const added = await addedDatabases(before, out);
    expect(added).toEqual([
      expect.stringMatching(/^rollback_drill_\w+_app$/),
      expect.stringMatching(/^rollback_drill_\w+_bot$/),
    ]);
    for (const name of added) expect(out).toContain(name);
    const client = new Client({ connectionString: serverUrl() });
    await client.connect();
    try {
      for (const name of added) await client.query(`DROP DATABASE "${name}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  }, 180_000);
});

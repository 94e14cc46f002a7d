/**
 * `rollback-bot drill`: the runbook's rollback simulation on this machine,
 * end to end through the real bot. Starts the world, plays the six steps
 * (the last a progressive release whose canary fails), prints the thread as
 * it goes, a progress line per step and at the end the metrics against the
 * runbook's targets. Exit 0 only when every step and every target passed;
 * 1 otherwise. Cleans up unless asked to keep.
 */
import type { DrillContext, DrillFacts, Problems } from './context';
import { type MetricRow, formatMetricsTable } from './metrics-table';
import { deployGoodThenBad } from './steps/deployments';
import { detectAndRollBack } from './steps/detection';
import { followThrough } from './steps/follow-through';
import { releaseAbortedByCanary } from './steps/progressive-release';
import { revertBadCommit } from './steps/git-revert';
import { rollBackMigration } from './steps/schema-rollback';
import { seconds } from './wait';
import type { DetectMode } from './drill-service';
import { BREAKS, type Break, type DrillWorld, startWorld } from './world';
import { scrubSecrets } from '../logger';
import { readFileSync } from 'node:fs';

interface DrillRunOptions {
  readonly keep: boolean;
  readonly databaseUrl?: string;
  readonly breaks: ReadonlySet<Break>;
  /** The git revert goes through a pull request on a GitHub stand-in with main protected. */
  readonly githubProtected?: boolean;
  readonly detect?: DetectMode;
  readonly print: (line: string) => void;
}

const INTERRUPTS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGPIPE'];

interface Step {
  readonly title: string;
  readonly run: (ctx: DrillContext) => Promise<Problems>;
}

interface StepReport {
  readonly number: number;
  readonly title: string;
  readonly passed: boolean;
  readonly problems: Problems;
  readonly ms: number;
}

/** The last warnings and errors the bot logged, for a failed drill's reader. */
function botTrouble(path: string, limit = 8): string[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    try {
      const entry = JSON.parse(raw) as { level?: string; msg?: string; err?: { message?: string } };
      if (entry.level === 'warn' || entry.level === 'error' || entry.level === 'fatal')
        lines.push(`${entry.level}: ${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}`);
    } catch {
      // not a log line
    }
  }
  return lines.slice(-limit).map((line) => scrubSecrets(line).slice(0, 300));
}

export async function runDrill(options: DrillRunOptions): Promise<number> {
  const { print } = options;
  const began = Date.now();
  print(
    'rollback-bot drill: the runbook\'s rollback simulation ("Rollback Testing ' +
      '(Pre-Launch)"), end to end through the real bot.',
  );
  for (const name of options.breaks) print(`  --break ${name}: ${BREAKS[name]}`);
  if (options.githubProtected)
    print('  --github-protected: main is protected on GitHub (stand-in); the git revert goes through a pull request');
  const detect = options.detect ?? 'alerts';
  if (detect === 'probes')
    print('  --detect probes: the alert source is silent; the bot must detect the bad deployment from its own probes');
  print('');
  print('Starting: PostgreSQL, the Slack and Vercel stand-ins, the scratch app (git + database), the bot...');
  let world: DrillWorld;
  try {
    world = await startWorld({
      keep: options.keep,
      databaseUrl: options.databaseUrl,
      breaks: options.breaks,
      detect,
      githubProtected: options.githubProtected ?? false,
      print,
    });
  } catch (error) {
    print(`The drill could not start: ${scrubSecrets(error instanceof Error ? error.message : String(error))}`);
    return 1;
  }
  print(
    `  the bot listens on ${world.botUrl}/slack/events; Slack stand-in ` +
      `${world.slack.url}; Vercel stand-in API ${world.vercel.url}, production ` +
      `${world.vercel.appUrl}`,
  );
  print(
    `  PostgreSQL ${world.databases.serverUrl.replace(/\/[^/]*$/, '')}; scratch ` +
      `origin ${world.repo.origin}; drill folder ${world.runDir}`,
  );
  const database = (url: string): string => new URL(url).pathname.slice(1);
  print(
    `  scratch databases ${database(world.databases.botUrl)} (the bot's store) and ` +
      `${database(world.databases.appUrl)} (the scratch app)`,
  );
  print(`  started in ${seconds(Date.now() - began)}`);

  // Ctrl-C, a closed terminal (SIGHUP) or a closed pipe (`drill | head`: EPIPE on stdout) still clean up:
  // servers stopped, scratch databases dropped, the folder removed (unless --keep).
  let cleaning = false;
  const interrupted = (signal: NodeJS.Signals): void => {
    if (cleaning) return;
    cleaning = true;
    if (signal !== 'SIGPIPE') print(`\nInterrupted (${signal}): cleaning up...`);
    void world.stop().finally(() => process.exit(130));
  };
  const brokenPipe = (error: NodeJS.ErrnoException): void => {
    if (error.code === 'EPIPE') interrupted('SIGPIPE');
  };
  for (const signal of INTERRUPTS) process.on(signal, interrupted);
  process.stdout.on('error', brokenPipe);

  const facts: DrillFacts = { startedAt: new Date(), incidents: {} };
  let metrics: MetricRow[] = [];
  const steps: Step[] = [
    { title: 'A good deployment, then a bad one (5xx rate climbs)', run: deployGoodThenBad },
    {
      title:
        detect === 'probes'
          ? 'The bot detects it from its own probes (alerts silent) and rolls production back (autopilot)'
          : 'The bot detects it from #prod-alerts and rolls production back (autopilot)',
      run: detectAndRollBack,
    },
    { title: 'Git revert of the bad commit and the new deployment', run: revertBadCommit },
    {
      title: 'Schema rollback of the bad migration, CTO approval, data archived then restored',
      run: rollBackMigration,
    },
    { title: 'Post-rollback checklist and metrics', run: (ctx) => followThrough(ctx, (rows) => (metrics = rows)) },
    { title: 'A progressive release (/rollout) aborted by a canary failure at 10%', run: releaseAbortedByCanary },
  ];
  const reports: StepReport[] = [];
  try {
    for (const [index, step] of steps.entries()) {
      const number = index + 1;
      world.transcript.sync();
      print('');
      print(`[${number}/${steps.length}] ${step.title}`);
      const started = Date.now();
      const ctx: DrillContext = { world, facts, note: (line) => print(`    · ${line}`) };
      let problems: Problems;
      try {
        problems = await step.run(ctx);
      } catch (error) {
        problems = [`stopped by an error: ${scrubSecrets(error instanceof Error ? error.message : String(error))}`];
      }
      // Interrupted: the handler is cleaning up and exits 130 when done; the steps stop here.
      if (cleaning) return await new Promise<number>(() => undefined);
      world.transcript.sync();
      const report = { number, title: step.title, passed: problems.length === 0, problems, ms: Date.now() - started };
      reports.push(report);
      print(
        `[${number}/${steps.length}] ${report.passed ? 'PASSED' : 'FAILED'} in ` +
          `${seconds(report.ms)}${report.passed ? '' : `: ${problems.join('; ')}`}`,
      );
      if (number === 3) await world.alerting.stop();
    }
  } finally {
    await world.alerting.stop();
  }

  print('');
  print('Summary');
  for (const r of reports)
    print(
      `  ${r.passed ? 'PASS' : 'FAIL'}  step ${r.number}/${steps.length}  ${r.title}  ` +
        `(${seconds(r.ms)})${r.passed ? '' : `\n        ${r.problems.join('\n        ')}`}`,
    );
  print('');
  print("Rollback metrics against the runbook's targets (the bot's own /rollback stats for the drill's incidents):");
  if (metrics.length === 0) print('  (not measured: step 5 did not run)');
  for (const line of formatMetricsTable(metrics)) print(`  ${line}`);
  const failedSteps = reports.filter((r) => !r.passed);
  const failedTargets = metrics.filter((m) => !m.pass);
  const passed = failedSteps.length === 0 && metrics.length > 0 && failedTargets.length === 0;
  if (!passed) {
    const trouble = botTrouble(world.botLog);
    if (trouble.length > 0) {
      print('');
      print("The bot's last warnings:");
      for (const line of trouble) print(`  ${line}`);
    }
  }
  for (const signal of INTERRUPTS) process.off(signal, interrupted);
  process.stdout.off('error', brokenPipe);
  const kept = await world.stop();
  print('');
  if (kept.length > 0) {
    print('Kept for inspection (--keep):');
    for (const line of kept) print(`  ${line}`);
  } else {
    print('Cleaned up: servers stopped, scratch databases dropped, drill folder removed.');
  }
  const why = [
    ...failedSteps.map((r) => `step ${r.number}/${steps.length} failed`),
    ...(metrics.length === 0
      ? ['metrics not measured']
      : failedTargets.map((m) => `${m.title.split(' (')[0]} missed ${m.target}`)),
  ];
  print(
    passed
      ? `Drill PASSED in ${seconds(Date.now() - began)}: every step and every target passed.`
      : `Drill FAILED in ${seconds(Date.now() - began)}: ${why.join(', ')}.`,
  );
  return passed ? 0 : 1;
}

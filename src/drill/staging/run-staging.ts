/**
 * `rollback-bot drill --service <name>`: the runbook's pre-launch checklist
 * against the service's real (staging) targets: application rollback timed,
 * git revert, schema migration rollback, and a markdown report to keep.
 * Refuses (exit 2) when something it needs is missing, and, for targets not
 * on this machine, until --yes says the operator agrees to what it prints.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isRollbackError } from '../../rollback/errors';
import { createLogger, scrubSecrets } from '../../logger';
import { createIncidentStore } from '../../store/incident-store';
import { createDb } from '../../store/pool';
import { openDrillDatabases } from '../databases';
import { People } from '../people';
import { SlackTranscript } from '../slack-transcript';
import { seconds } from '../wait';
import { stagingAppRollback } from './app-rollback';
import { stagingGitRevert } from './git-revert';
import type { PartResult, StagingContext } from './parts';
import { type StagingTarget, describePlan, prepareStaging } from './prepare';
import { stagingReport } from './report';
import { stagingSchemaRollback } from './schema-rollback';
import { startStagingBot } from './staging-bot';

interface StagingOptions {
  readonly service: string;
  readonly yes: boolean;
  readonly keep: boolean;
  readonly report?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly print: (line: string) => void;
  readonly printError: (line: string) => void;
}

const explain = (error: unknown): string =>
  scrubSecrets(isRollbackError(error) ? error.explain() : error instanceof Error ? error.message : String(error));

async function runParts(
  target: StagingTarget,
  options: StagingOptions,
  dir: string,
  transcriptLines: string[],
): Promise<PartResult[]> {
  const { print } = options;
  const databases = await openDrillDatabases({
    databaseUrl: options.env.DATABASE_URL?.trim() || undefined,
    dataDir: join(dir, 'postgres'),
    runId: target.runId,
    withApp: false,
  });
  try {
    const bot = await startStagingBot({
      service: target.service,
      env: options.env,
      botDatabaseUrl: databases.botUrl,
      shadowServerUrl: databases.serverUrl,
      dir,
    });
    const db = createDb(databases.botUrl, createLogger('silent'), 2);
    const transcript = new SlackTranscript(
      bot.slack,
      (line) => {
        transcriptLines.push(line);
        print(line);
      },
      bot.names,
    );
    const printing = setInterval(() => transcript.sync(), 200);
    try {
      const ctx: StagingContext = {
        target,
        service: target.service,
        bot,
        adapters: bot.adapters,
        transcript,
        people: new People(bot.sender, transcript, target.service.slack.alertsChannel),
        store: createIncidentStore(db),
        dir,
        env: options.env,
        shadowServerUrl: databases.serverUrl,
        note: (line) => print(`    · ${line}`),
      };
      const parts: PartResult[] = [];
      for (const [index, part] of [stagingAppRollback, stagingGitRevert, stagingSchemaRollback].entries()) {
        print('');
        const result = await part(ctx);
        transcript.sync();
        parts.push(result);
        print(
          `[${index + 1}/3] ${result.title}: ${result.passed ? 'PASSED' : 'FAILED'} in ` +
            `${seconds(result.ms)}${result.passed ? '' : `: ${result.problems.join('; ')}`}`,
        );
      }
      return parts;
    } finally {
      clearInterval(printing);
      await bot.stop();
      await db.close();
    }
  } finally {
    await databases.close(options.keep);
  }
}

export async function runStagingDrill(options: StagingOptions): Promise<number> {
  const { print } = options;
  const runId = randomBytes(4).toString('hex');
  let target: StagingTarget;
  try {
    target = prepareStaging(options.service, options.env, runId);
  } catch (error) {
    options.printError(`drill: ${explain(error)}`);
    return 2;
  }
  const plan = describePlan(target);
  if (!target.local && !options.yes) {
    for (const line of plan) options.printError(line);
    options.printError(
      'These targets are not on this machine and the drill changes them as described. ' +
        'Run again with --yes to go ahead; never point it at production.',
    );
    return 2;
  }
  for (const line of plan) print(line);
  const startedAt = new Date();
  const dir = mkdtempSync(join(tmpdir(), 'rollback-drill-staging-'));
  const transcriptLines: string[] = [];
  let parts: PartResult[];
  try {
    parts = await runParts(target, options, dir, transcriptLines);
  } catch (error) {
    options.printError(`drill: ${explain(error)}`);
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
    return 1;
  }
  if (!options.keep) rmSync(dir, { recursive: true, force: true });
  else print(`Kept for inspection: ${dir}`);
  const reportPath = resolve(
    options.report ?? `rollback-drill-${target.service.name}-${startedAt.toISOString().replace(/[:.]/g, '-')}.md`,
  );
  writeFileSync(
    reportPath,
    stagingReport({ target, startedAt, finishedAt: new Date(), parts, transcript: transcriptLines }),
  );
  const passed = parts.every((p) => p.passed);
  print('');
  print(`Report: ${reportPath}`);
  print(
    passed
      ? 'Drill PASSED: every checklist item passed.'
      : `Drill FAILED: ${parts
          .filter((p) => !p.passed)
          .map((p) => p.title)
          .join(', ')}.`,
  );
  return passed ? 0 : 1;
}

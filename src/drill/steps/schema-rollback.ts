/**
 * Step 4: the runbook's "Schema Migration Rollback". The DevOps lead asks for
 * the rollback of the AI migration; the bot measures what it would drop on the
 * live app database and asks the CTO; the CTO reads the estimate and clicks
 * Approve; the bot archives the new data, reverts the schema, marks the
 * migration rolled back and says ROLLBACK COMPLETE. Then the forward fix: the
 * fixed release ships (its build applies the migration again) and
 * `rollback-bot restore-archive` puts every archived value back.
 */
import { run as restoreArchiveCli } from '../../cli/restore-archive';
import { APPROVE } from '../../slack/action-ids';
import { archiveManifest, columnsOf, migrationRows, queryText } from '../app-database';
import {
  type DrillContext,
  type Outcome,
  type Problems,
  outcomeOf,
  outcomeReason,
  outcomeWords,
  startedIncident,
  waitForOutcome,
  waitForRoot,
} from '../context';
import { type Button, PEOPLE, buttonsIn } from '../people';
import type { SlackMessage } from '../slack-transcript';
import { AI_DATA_SNAPSHOT, BAD_MIGRATION, FIX_COMMIT, SERVICE_NAME } from '../scratch-app';
import { seconds, waitUntil } from '../wait';

const ROLLBACK_DEADLINE_MS = 90_000;

async function rollBackSchema(ctx: DrillContext): Promise<{ problems: Problems; incidentId?: string }> {
  const { world, facts } = ctx;
  const asked = Date.now();
  const answer = await world.people.command(
    PEOPLE.devopsLead,
    `schema ${SERVICE_NAME} ${BAD_MIGRATION} drill: the AI migration corrupts clinical notes`,
  );
  const incidentId = startedIncident(answer.text);
  if (answer.status !== 200 || !incidentId)
    return { problems: [`the bot did not start the schema rollback: ${answer.text || `HTTP ${answer.status}`}`] };
  facts.incidents.schema = incidentId;
  const root = await waitForRoot(ctx.world.transcript, incidentId, asked, 30_000);
  if (!root) return { problems: [`${incidentId}: no ROLLBACK IN PROGRESS within 30 s of the command`], incidentId };
  type Asked = { ended: Outcome } | { message: SlackMessage; approve: Button };
  const approval = await waitUntil((): Asked | undefined => {
    const ended = outcomeOf(world.transcript, root);
    if (ended) return { ended };
    for (const message of world.transcript.thread(root.ts)) {
      const approve = buttonsIn(message.blocks).find((b) => b.actionId === APPROVE);
      if (approve) return { message, approve };
    }
    return undefined;
  }, 60_000);
  if (approval && 'ended' in approval)
    return {
      problems: [
        `${incidentId}: the schema rollback ${outcomeWords(approval.ended)} before the ` +
          `CTO was asked: ${outcomeReason(approval.ended)}`,
      ],
      incidentId,
    };
  if (!approval)
    return {
      problems: [
        `${incidentId}: no approval request with an Approve button (and its data-loss ` +
          `estimate) in the thread within 60 s`,
      ],
      incidentId,
    };
  const estimate = approval.message.rendered.split('\n').filter((line) => /lost|dropped/.test(line));
  ctx.note(
    `the CTO reads the data-loss estimate: ${estimate.map((l) => l.replace(/^•\s*/, '')).join('; ') || '(none given)'}`,
  );
  const said = await world.people.clickButton(PEOPLE.cto, approval.message, approval.approve);
  if (!said || !/approved/i.test(said))
    return {
      problems: [`${incidentId}: the CTO's Approve was not accepted: ${said ?? 'no answer within 10 s'}`],
      incidentId,
    };
  const outcome = await waitForOutcome(ctx.world.transcript, root, ROLLBACK_DEADLINE_MS);
  if (!outcome)
    return {
      problems: [
        `${incidentId}: no ROLLBACK COMPLETE (or FAILED) in its thread within ${seconds(ROLLBACK_DEADLINE_MS)}`,
      ],
      incidentId,
    };
  if (outcome.kind !== 'complete')
    return {
      problems: [`${incidentId}: the schema rollback ${outcomeWords(outcome)}: ${outcomeReason(outcome)}`],
      incidentId,
    };
  ctx.note(`ROLLBACK COMPLETE ${seconds(outcome.message.postedAt - asked)} after the command`);
  return { problems: [], incidentId };
}

async function checkRolledBack(ctx: DrillContext, incidentId: string): Promise<Problems> {
  const appUrl = ctx.world.databases.appUrl;
  const problems: Problems = [];
  const noteColumns = await columnsOf(appUrl, 'ClinicalNote');
  if (noteColumns.includes('aiSummary') || noteColumns.includes('aiGenerated'))
    problems.push(`ClinicalNote still has the AI columns (${noteColumns.join(', ')})`);
  if ((await columnsOf(appUrl, 'AiRun')).length > 0) problems.push('the AiRun table is still there');
  const rows = await migrationRows(appUrl, BAD_MIGRATION);
  if (!rows.some((r) => r.rolledBackAt !== null))
    problems.push(`${BAD_MIGRATION} is not marked rolled back in _prisma_migrations`);
  const archives = (await archiveManifest(appUrl)).filter((a) => a.incidentId === incidentId);
  if (archives.length === 0) problems.push(`nothing was archived for ${incidentId} before the drop`);
  if (problems.length === 0) {
    ctx.note(
      `schema reverted: ${BAD_MIGRATION} marked rolled back; archived first: ` +
        `${archives.map((a) => `${a.source} (${a.rows} rows)`).join(', ')}`,
    );
  }
  return problems;
}

async function forwardFixAndRestore(ctx: DrillContext, before: string): Promise<Problems> {
  const { world } = ctx;
  const fix = await world.repo.commit(FIX_COMMIT.files, FIX_COMMIT.message);
  await world.repo.push();
  ctx.note(`forward fix: developer pushed ${fix.slice(0, 7)} "${FIX_COMMIT.message}" (2.0.1)`);
  const build = await world.integration.waitForBuild(fix);
  if (!build || build.state !== 'READY')
    return [
      `the forward fix did not ship: ` +
        `${build ? `its build ended ${build.state}${build.error ? `: ${build.error}` : ''}` : 'no build within 30 s'}`,
    ];
  if (!build.migrationsApplied.includes(BAD_MIGRATION))
    return [`the forward fix's build did not apply ${BAD_MIGRATION} again`];
  const output: string[] = [];
  const code = await restoreArchiveCli([BAD_MIGRATION, '--service', SERVICE_NAME], {
    stdout: (text) => output.push(text),
    stderr: (text) => output.push(text),
    env: world.cliEnv,
  });
  const said = output.join('').trim();
  ctx.note(`$ rollback-bot restore-archive ${BAD_MIGRATION} --service ${SERVICE_NAME}`);
  for (const line of said.split('\n').filter(Boolean)) ctx.note(`  ${line}`);
  if (code !== 0) return [`restore-archive exited ${code}: ${said}`];
  const after = await queryText(world.databases.appUrl, AI_DATA_SNAPSHOT);
  if (after !== before) return ['the restored AI data differs from what was there before the schema rollback'];
  const open = (await archiveManifest(world.databases.appUrl)).filter((a) => !a.restored);
  if (open.length > 0) return [`archives still not restored: ${open.map((a) => a.archiveTable).join(', ')}`];
  ctx.note('every archived value is back, identical to before the rollback: no data lost');
  return [];
}

export async function rollBackMigration(ctx: DrillContext): Promise<Problems> {
  if (!ctx.facts.bad) return ['skipped: step 1 did not apply the bad migration'];
  const before = await queryText(ctx.world.databases.appUrl, AI_DATA_SNAPSHOT);
  const rolled = await rollBackSchema(ctx);
  if (rolled.problems.length > 0 || !rolled.incidentId) return rolled.problems;
  const problems = await checkRolledBack(ctx, rolled.incidentId);
  if (problems.length > 0) return problems;
  return forwardFixAndRestore(ctx, before);
}

/**
 * Step 3: the runbook's "Git Revert (Option A)". The DevOps lead asks the bot
 * to revert the bad commit; the bot reverts it on the scratch origin and
 * pushes, Vercel's git integration builds the new head, the bot verifies it
 * and says ROLLBACK COMPLETE. The drill then reads the branch and production.
 */
import {
  type DrillContext,
  type Problems,
  outcomeReason,
  outcomeWords,
  servedVersion,
  startedIncident,
  waitForOutcome,
  waitForRoot,
} from '../context';
import { PEOPLE } from '../people';
import { BAD_MIGRATION, MIGRATIONS_DIR, SERVICE_NAME, SUMMARIES_FILE } from '../scratch-app';
import { REQUIRED_CHECK } from '../github-protected';
import { seconds, waitUntil } from '../wait';
import type { StandinPull } from '../../standins/github/state';

/** --github-protected: waits for the bot's pull request, then plays CI passing on it (auto-merge does the rest). */
async function playCi(ctx: DrillContext, incidentId: string): Promise<StandinPull | undefined> {
  const github = ctx.world.github;
  const pull =
    github && (await waitUntil(() => github.repo.pulls.find((p) => p.head === `rollback/${incidentId}`), 30_000));
  if (!github || !pull) return undefined;
  ctx.note(
    `main is protected: the bot opened pull request #${pull.number} "${pull.title}" ` +
      `from ${pull.head}${pull.autoMerge ? ', auto-merge on' : ''}`,
  );
  github.repo.reportCheck(pull.headSha, REQUIRED_CHECK, 'success', { title: '48 passed, 0 failed' });
  ctx.note(`CI: check "${REQUIRED_CHECK}" passed on ${pull.headSha.slice(0, 7)}`);
  return pull;
}

function checkMerged(ctx: DrillContext, pull: StandinPull, head: string): Problems {
  if (!pull.merged || pull.mergeSha !== head)
    return [
      `pull request #${pull.number} is ` +
        `${pull.state}${pull.merged ? ` but main is at ${head.slice(0, 7)}, not its merge` : ', not merged'}`,
    ];
  const parents = (ctx.world.github?.repo.git.git('rev-list', '--parents', '-n', '1', head) ?? '').trim().split(' ');
  if (parents[2] !== pull.headSha)
    return [`main's head ${head.slice(0, 7)} is not the merge of pull request #${pull.number}`];
  ctx.note(`pull request #${pull.number} merged by auto-merge into main as ${head.slice(0, 7)}`);
  return [];
}

const ROLLBACK_DEADLINE_MS = 90_000;

export async function revertBadCommit(ctx: DrillContext): Promise<Problems> {
  try {
    return await revertStep(ctx);
  } finally {
    ctx.world.github?.unprotectMain();
  }
}

async function revertStep(ctx: DrillContext): Promise<Problems> {
  const { world, facts } = ctx;
  const bad = facts.bad;
  if (!bad) return ['skipped: step 1 did not deploy the bad release'];
  world.github?.protectMain();
  const asked = Date.now();
  const answer = await world.people.command(
    PEOPLE.devopsLead,
    `revert ${SERVICE_NAME} ${bad.commit.slice(0, 7)} drill: AI summaries answer 500, revert the code`,
  );
  const incidentId = startedIncident(answer.text);
  if (answer.status !== 200 || !incidentId)
    return [`the bot did not start the git revert: ${answer.text || `HTTP ${answer.status}`}`];
  facts.incidents.revert = incidentId;
  const root = await waitForRoot(ctx.world.transcript, incidentId, asked, 30_000);
  if (!root) return [`${incidentId}: no ROLLBACK IN PROGRESS within 30 s of the command`];
  const pull = world.github ? await playCi(ctx, incidentId) : undefined;
  if (world.github && !pull)
    return [
      `${incidentId}: no pull request from rollback/${incidentId} within 30 s (main is ` +
        `protected, so the revert must go through one)`,
    ];
  const outcome = await waitForOutcome(ctx.world.transcript, root, ROLLBACK_DEADLINE_MS);
  if (!outcome)
    return [`${incidentId}: no ROLLBACK COMPLETE (or FAILED) in its thread within ${seconds(ROLLBACK_DEADLINE_MS)}`];
  if (outcome.kind !== 'complete')
    return [`${incidentId}: the git revert ${outcomeWords(outcome)}: ${outcomeReason(outcome)}`];
  ctx.note(`ROLLBACK COMPLETE ${seconds(outcome.message.postedAt - asked)} after the command`);

  const problems: Problems = [];
  const head = await world.repo.originHead();
  if (pull) problems.push(...checkMerged(ctx, pull, head));
  const reverted = head !== bad.commit && (await world.repo.show(head, SUMMARIES_FILE)) === undefined;
  const pkg = JSON.parse((await world.repo.show(head, 'package.json')) ?? '{}') as { version?: string };
  if (!reverted || pkg.version !== '1.9.0')
    problems.push(`origin's main (${head.slice(0, 7)}) does not hold the revert of ${bad.commit.slice(0, 7)}`);
  else
    ctx.note(
      `origin's main is ${head.slice(0, 7)} "${await world.repo.subject(head)}": the AI code is gone, history kept`,
    );
  if ((await world.repo.show(head, `${MIGRATIONS_DIR}/${BAD_MIGRATION}/migration.sql`)) === undefined)
    problems.push(`the revert also removed ${BAD_MIGRATION}, which is in its own commit`);
  const live = world.vercel.state.production();
  if (!live || !head.startsWith(live.app.commit))
    problems.push(`production serves ${live?.app.commit ?? 'nothing'}, not the revert ${head.slice(0, 7)}`);
  const served = await servedVersion(ctx);
  if (!served.commit || !head.startsWith(served.commit))
    problems.push(`production answers commit ${served.commit ?? '(no answer)'}, not ${head.slice(0, 7)}`);
  else
    ctx.note(
      `production answers version ${served.version ?? '?'} from commit ` +
        `${served.commit}: the new deployment of the reverted code is live`,
    );
  return problems;
}

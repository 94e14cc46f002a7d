/**
 * Step 3: the runbook's "Git Revert (Option A)". The DevOps lead asks the bot
 * to revert the bad commit; the bot reverts it on the scratch origin and
 * pushes, Vercel's git integration builds the new head, the bot verifies it
 * and says ROLLBACK COMPLETE. The drill then reads the branch and production.
 */
import { type DrillContext, type Problems, outcomeReason, outcomeWords, servedVersion, startedIncident, waitForOutcome, waitForRoot } from '../context';
import { PEOPLE } from '../people';
import { BAD_MIGRATION, MIGRATIONS_DIR, SERVICE_NAME, SUMMARIES_FILE } from '../scratch-app';
import { seconds } from '../wait';

const ROLLBACK_DEADLINE_MS = 90_000;

export async function revertBadCommit(ctx: DrillContext): Promise<Problems> {
  const { world, facts } = ctx;
  const bad = facts.bad;
  if (!bad) return ['skipped: step 1 did not deploy the bad release'];
  const asked = Date.now();
  const answer = await world.people.command(PEOPLE.devopsLead, `revert ${SERVICE_NAME} ${bad.commit.slice(0, 7)} drill: AI summaries answer 500, revert the code`);
  const incidentId = startedIncident(answer.text);
  if (answer.status !== 200 || !incidentId) return [`the bot did not start the git revert: ${answer.text || `HTTP ${answer.status}`}`];
  facts.incidents.revert = incidentId;
  const root = await waitForRoot(ctx.world.transcript, incidentId, asked, 30_000);
  if (!root) return [`${incidentId}: no ROLLBACK IN PROGRESS within 30 s of the command`];
  const outcome = await waitForOutcome(ctx.world.transcript, root, ROLLBACK_DEADLINE_MS);
  if (!outcome) return [`${incidentId}: no ROLLBACK COMPLETE (or FAILED) in its thread within ${seconds(ROLLBACK_DEADLINE_MS)}`];
  if (outcome.kind !== 'complete') return [`${incidentId}: the git revert ${outcomeWords(outcome)}: ${outcomeReason(outcome)}`];
  ctx.note(`ROLLBACK COMPLETE ${seconds(outcome.message.postedAt - asked)} after the command`);

  const problems: Problems = [];
  const head = await world.repo.originHead();
  const reverted = head !== bad.commit && (await world.repo.show(head, SUMMARIES_FILE)) === undefined;
  const pkg = JSON.parse((await world.repo.show(head, 'package.json')) ?? '{}') as { version?: string };
  if (!reverted || pkg.version !== '1.9.0') problems.push(`origin's main (${head.slice(0, 7)}) does not hold the revert of ${bad.commit.slice(0, 7)}`);
  else ctx.note(`origin's main is ${head.slice(0, 7)} "${await world.repo.subject(head)}": the AI code is gone, history kept`);
  if ((await world.repo.show(head, `${MIGRATIONS_DIR}/${BAD_MIGRATION}/migration.sql`)) === undefined) problems.push(`the revert also removed ${BAD_MIGRATION}, which is in its own commit`);
  const live = world.vercel.state.production();
  if (!live || !head.startsWith(live.app.commit)) problems.push(`production serves ${live?.app.commit ?? 'nothing'}, not the revert ${head.slice(0, 7)}`);
  const served = await servedVersion(ctx);
  if (!served.commit || !head.startsWith(served.commit)) problems.push(`production answers commit ${served.commit ?? '(no answer)'}, not ${head.slice(0, 7)}`);
  else ctx.note(`production answers version ${served.version ?? '?'} from commit ${served.commit}: the new deployment of the reverted code is live`);
  return problems;
}

/**
 * Checklist item "Test Application Rollback": the DevOps lead asks the bot to
 * roll the staging project back; the bot moves production to the previous
 * production deployment and verifies it; the drill times it against the
 * runbook's 5 minutes. Then production is moved back the same way, to the
 * deployment that served before the drill.
 */
import { outcomeReason, outcomeWords, startedIncident, waitForOutcome, waitForRoot } from '../context';
import { seconds } from '../wait';
import { type PartResult, type StagingContext, runPart } from './parts';

const TARGET_MS = 5 * 60_000;
/** Past the target, to tell "slow" from "never finished". */
const DEADLINE_MS = 10 * 60_000;

async function rollback(ctx: StagingContext, command: string): Promise<{ ms: number; incidentId: string } | string> {
  const asked = Date.now();
  const answer = await ctx.people.command(ctx.bot.devopsLead, command);
  const incidentId = startedIncident(answer.text);
  if (answer.status !== 200 || !incidentId)
    return `the bot did not start the rollback: ${answer.text || `HTTP ${answer.status}`}`;
  const root = await waitForRoot(ctx.transcript, incidentId, asked, 60_000);
  if (!root) return `${incidentId}: no ROLLBACK IN PROGRESS within 60 s`;
  const outcome = await waitForOutcome(ctx.transcript, root, DEADLINE_MS);
  if (!outcome) return `${incidentId}: no outcome within ${seconds(DEADLINE_MS)}`;
  if (outcome.kind !== 'complete')
    return `${incidentId}: the rollback ${outcomeWords(outcome)}: ${outcomeReason(outcome)}`;
  return { ms: outcome.message.postedAt - asked, incidentId };
}

export function stagingAppRollback(ctx: StagingContext): Promise<PartResult> {
  return runPart('Test Application Rollback (timed, < 5 min)', async (facts) => {
    const { service } = ctx;
    const before = await ctx.adapters.application.describeProduction(service);
    const target = before.rollbackTarget;
    if (!target)
      return [`Vercel project ${service.vercel.projectId} has no earlier production deployment to roll back to`];
    facts.push(
      `Production before the drill: ${before.current.id} ` +
        `(${before.current.url}${before.current.version ? `, version ${before.current.version}` : ''}).`,
    );
    ctx.note(`rolling ${service.name} back from ${before.current.id} to ${target.id}`);
    const back = await rollback(ctx, `${service.name} drill: pre-launch application rollback test`);
    if (typeof back === 'string') return [back];
    const record = await ctx.store.getIncident(back.incidentId);
    const execution =
      record?.decidedAt && record.restoredAt ? record.restoredAt.getTime() - record.decidedAt.getTime() : undefined;
    facts.push(
      `${back.incidentId}: rolled back to ${target.id} (${target.url}) and verified; ` +
        `command to ROLLBACK COMPLETE ${seconds(back.ms)}; execution (decision → ` +
        `restored, from the bot's store) ` +
        `${execution === undefined ? 'not recorded' : seconds(execution)}.`,
    );
    ctx.note(`rolled back and verified in ${seconds(back.ms)}`);
    const problems: string[] = [];
    if (back.ms >= TARGET_MS)
      problems.push(`the application rollback took ${seconds(back.ms)}, over the runbook's 5 minutes`);
    const forward = await rollback(
      ctx,
      `${service.name} to ${before.current.id} drill: put back the deployment that served before the drill`,
    );
    if (typeof forward === 'string') {
      problems.push(
        `production was not moved back to ${before.current.id}: ${forward}. Move it back ` +
          `by hand (Vercel dashboard: promote ${before.current.url}).`,
      );
    } else {
      facts.push(
        `${forward.incidentId}: production moved back to ${before.current.id} and verified in ${seconds(forward.ms)}.`,
      );
      ctx.note(`production is back on ${before.current.id} (${seconds(forward.ms)})`);
    }
    return problems;
  });
}

/**
 * Step 2: the bot detects the bad deployment from the alerts channel and,
 * on autopilot, rolls production back to the last known good: "ROLLBACK IN
 * PROGRESS", the move on Vercel, verification, "ROLLBACK COMPLETE", and the
 * CTO told. Nobody types anything; the drill only watches.
 */
import { type DrillContext, type Problems, incidentIdOf, outcomeReason, outcomeWords, servedVersion, waitForOutcome, waitForRoot } from '../context';
import { PEOPLE } from '../people';
import { seconds, waitUntil } from '../wait';

/** Generous next to what the drill's service needs (5 s evaluations, 10 s of 5xx) and well inside the runbook's 5 minutes. */
const DETECTION_DEADLINE_MS = 90_000;
const ROLLBACK_DEADLINE_MS = 90_000;

export async function detectAndRollBack(ctx: DrillContext): Promise<Problems> {
  const { world, facts } = ctx;
  const bad = facts.bad;
  const good = facts.good;
  if (!bad || !good) return ['skipped: step 1 did not deploy the good and the bad release'];
  const root = await waitForRoot(ctx.world.transcript, undefined, bad.liveAt, DETECTION_DEADLINE_MS);
  const falseAlarms = (await world.store.listIncidents({ service: world.service.name, limit: 20 })).filter((i) => i.openedAt.getTime() < bad.liveAt);
  if (falseAlarms.length > 0) {
    return falseAlarms.map((i) => `the bot opened ${i.id} while production was healthy, before the bad deployment (a false alarm): ${i.trigger}`);
  }
  if (!root) {
    const delivered = world.alerting.posts.filter((p) => p.firing);
    const refused = delivered.filter((p) => p.status !== 200).length;
    return [
      `the bot did not open an incident from the alerts within ${seconds(DETECTION_DEADLINE_MS)} of the bad deployment: no "ROLLBACK IN PROGRESS" was posted ` +
        `(${delivered.length} firing Alertmanager message(s) were delivered to its endpoint${refused > 0 ? `, ${refused} refused` : ''}; is detection from the alerts channel with autopilot enabled in this build?)`,
    ];
  }
  const incidentId = incidentIdOf(root.rendered);
  facts.incidents.detected = incidentId;
  const trigger = root.rendered.split('\n').find((line) => line.includes('Trigger:'))?.replace(/[*_]/g, '').replace(/^\s*Trigger:\s*/, '');
  ctx.note(`the bot opened ${incidentId ?? 'an incident'} ${seconds(root.postedAt - bad.liveAt)} after 2.0.0-beta went live and posted ROLLBACK IN PROGRESS (trigger: ${trigger ?? 'not given'})`);
  const outcome = await waitForOutcome(ctx.world.transcript, root, ROLLBACK_DEADLINE_MS);
  if (!outcome) return [`${incidentId ?? 'the incident'}: no ROLLBACK COMPLETE (or FAILED) in its thread within ${seconds(ROLLBACK_DEADLINE_MS)}`];
  if (outcome.kind !== 'complete') return [`${incidentId ?? 'the incident'}: the application rollback ${outcomeWords(outcome)}: ${outcomeReason(outcome)}`];
  ctx.note(`ROLLBACK COMPLETE ${seconds(outcome.message.postedAt - root.postedAt)} after ROLLBACK IN PROGRESS`);

  const problems: Problems = [];
  const live = world.vercel.state.production();
  if (live?.id !== good.deploymentId) problems.push(`production serves ${live?.app.version ?? 'nothing'} (${live?.id ?? '-'}), not the last known good 1.9.0 (${good.deploymentId})`);
  const served = await servedVersion(ctx);
  if (served.version !== '1.9.0') problems.push(`production answers version ${served.version ?? '(no answer)'}, not 1.9.0`);
  else ctx.note(`production answers version 1.9.0 (commit ${served.commit ?? '?'}) again`);
  const toldCto = await waitUntil(
    () => world.transcript.messages().find((m) => m.channel.startsWith('D') && (incidentId === undefined || m.rendered.includes(incidentId)) && world.slack.calls.some((c) => c.method === 'conversations.open' && String(c.params.users ?? '').includes(PEOPLE.cto.id))),
    10_000,
  );
  if (!toldCto) problems.push(`the CTO got no direct message about ${incidentId ?? 'the autopilot rollback'} (the runbook: a rollback without them is notified to the CTO)`);
  else ctx.note('the CTO was told in a direct message');
  return problems;
}

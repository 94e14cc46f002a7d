/**
 * Step 2: the bot detects the bad deployment (from the alerts channel, or with
 * --detect probes from its own probes alone while the alert source is silent)
 * and, on autopilot, rolls production back to the last known good: "ROLLBACK
 * IN PROGRESS", the move on Vercel, verification, "ROLLBACK COMPLETE", and the
 * CTO told. Nobody types anything; the drill watches, then checks that the bot
 * says it detected it from where it did, with figures that fit what it saw.
 */
import {
  type DrillContext,
  type Problems,
  incidentIdOf,
  outcomeReason,
  outcomeWords,
  servedVersion,
  waitForOutcome,
  waitForRoot,
} from '../context';
import { checkFigures } from '../drill-checks';
import { PEOPLE } from '../people';
import { ALERT_NAME } from '../alerting';
import { incidentFigures, incidentTimes } from '../../rollback/metrics/incident-times';
import { seconds, waitUntil } from '../wait';

/**
 * Generous next to what the drill's service needs (5 s evaluations, 10 s of 5xx, 3 failing probe runs) and well inside
 * the runbook's 5 minutes.
 */
const DETECTION_DEADLINE_MS = 150_000;
const ROLLBACK_DEADLINE_MS = 90_000;

export async function detectAndRollBack(ctx: DrillContext): Promise<Problems> {
  const { world, facts } = ctx;
  const bad = facts.bad;
  const good = facts.good;
  if (!bad || !good) return ['skipped: step 1 did not deploy the good and the bad release'];
  const root = await waitForRoot(ctx.world.transcript, undefined, bad.liveAt, DETECTION_DEADLINE_MS);
  const falseAlarms = (await world.store.listIncidents({ service: world.service.name, limit: 20 })).filter(
    (i) => i.openedAt.getTime() < bad.liveAt,
  );
  if (falseAlarms.length > 0) {
    return falseAlarms.map(
      (i) =>
        `the bot opened ${i.id} while production was healthy, before the bad deployment (a false alarm): ${i.trigger}`,
    );
  }
  if (!root && world.detect === 'probes') {
    return [
      `the bot did not open an incident from its own probes within ` +
        `${seconds(DETECTION_DEADLINE_MS)} of the bad deployment (the alert source was ` +
        `silent: ${world.alerting.silenced} notification(s) held back)`,
    ];
  }
  if (!root) {
    const delivered = world.alerting.posts.filter((p) => p.firing);
    const refused = delivered.filter((p) => p.status !== 200).length;
    return [
      `the bot did not open an incident from the alerts within ` +
        `${seconds(DETECTION_DEADLINE_MS)} of the bad deployment: no "ROLLBACK IN ` +
        `PROGRESS" was posted ` +
        `(${delivered.length} firing Alertmanager message(s) were delivered to its ` +
        `endpoint${refused > 0 ? `, ${refused} refused` : ''}; is detection from the ` +
        `alerts channel with autopilot enabled in this build?)`,
    ];
  }
  const incidentId = incidentIdOf(root.rendered);
  facts.incidents.detected = incidentId;
  const trigger = root.rendered
    .split('\n')
    .find((line) => line.includes('Trigger:'))
    ?.replace(/[*_]/g, '')
    .replace(/^\s*Trigger:\s*/, '');
  ctx.note(
    `the bot opened ${incidentId ?? 'an incident'} ` +
      `${seconds(root.postedAt - bad.liveAt)} after 2.0.0-beta went live and posted ` +
      `ROLLBACK IN PROGRESS (trigger: ${trigger ?? 'not given'})`,
  );
  const outcome = await waitForOutcome(ctx.world.transcript, root, ROLLBACK_DEADLINE_MS);
  if (!outcome)
    return [
      `${incidentId ?? 'the incident'}: no ROLLBACK COMPLETE (or FAILED) in its thread ` +
        `within ${seconds(ROLLBACK_DEADLINE_MS)}`,
    ];
  if (outcome.kind !== 'complete')
    return [
      `${incidentId ?? 'the incident'}: the application rollback ${outcomeWords(outcome)}: ${outcomeReason(outcome)}`,
    ];
  ctx.note(`ROLLBACK COMPLETE ${seconds(outcome.message.postedAt - root.postedAt)} after ROLLBACK IN PROGRESS`);

  const problems: Problems = [...(await checkDetection(ctx, incidentId, root.postedAt, outcome.message.postedAt))];
  const live = world.vercel.state.production();
  if (live?.id !== good.deploymentId)
    problems.push(
      `production serves ${live?.app.version ?? 'nothing'} (${live?.id ?? '-'}), not ` +
        `the last known good 1.9.0 (${good.deploymentId})`,
    );
  const served = await servedVersion(ctx);
  if (served.version !== '1.9.0')
    problems.push(`production answers version ${served.version ?? '(no answer)'}, not 1.9.0`);
  else ctx.note(`production answers version 1.9.0 (commit ${served.commit ?? '?'}) again`);
  const toldCto = await waitUntil(
    () =>
      world.transcript
        .messages()
        .find(
          (m) =>
            m.channel.startsWith('D') &&
            (incidentId === undefined || m.rendered.includes(incidentId)) &&
            world.slack.calls.some(
              (c) => c.method === 'conversations.open' && String(c.params.users ?? '').includes(PEOPLE.cto.id),
            ),
        ),
    10_000,
  );
  if (!toldCto)
    problems.push(
      `the CTO got no direct message about ${incidentId ?? 'the autopilot rollback'} ` +
        `(the runbook: a rollback without them is notified to the CTO)`,
    );
  else ctx.note('the CTO was told in a direct message');
  return problems;
}

/**
 * The bot's record against what the drill saw: detected from #prod-alerts
 * (Alertmanager's HighHttp5xxRate) or, with the alerts silent, from its probes;
 * and its figures within what was observed (drill-checks.ts).
 */
async function checkDetection(
  ctx: DrillContext,
  incidentId: string | undefined,
  inProgressAt: number,
  completeAt: number,
): Promise<Problems> {
  const { world, facts } = ctx;
  const bad = facts.bad;
  if (!incidentId || !bad) return ['the ROLLBACK IN PROGRESS post names no incident'];
  const measured = await world.store.metricsInput(incidentId);
  if (!measured) return [`${incidentId} is not in the bot's store`];
  const probes = world.detect === 'probes';
  const detectedFrom = probes ? /probe/ : new RegExp(`Alertmanager ${ALERT_NAME}`);
  const firstAlert = world.alerting.posts.find((p) => p.firing)?.at;
  const { evaluationIntervalSeconds, probeFailuresMust, fiveXxMustForSeconds } = world.service.triggers;
  // From the probes, the rule needs several failing runs: the 5xx rule its seconds, the sign-in rule its consecutive
  // runs.
  const probeEvidenceMs = Math.min(fiveXxMustForSeconds, (probeFailuresMust - 1) * evaluationIntervalSeconds) * 1000;
  const observed = {
    liveAt: bad.liveAt,
    inProgressAt,
    completeAt,
    earliestEvidenceMs: probes ? probeEvidenceMs : (firstAlert ?? inProgressAt) - bad.liveAt,
    detectedFrom,
  };
  facts.observed = observed;
  const problems: Problems = [];
  const recorded = measured.incident.data.evidence?.detectedFrom ?? '(nothing recorded)';
  if (!detectedFrom.test(recorded) || !detectedFrom.test(measured.incident.trigger)) {
    problems.push(
      `${incidentId} says it was detected from "${recorded}" (trigger: ` +
        `${measured.incident.trigger}), but the drill ` +
        `${probes ? 'silenced the alerts: only the probes could tell' : `posted ${ALERT_NAME} to #prod-alerts`}`,
    );
  }
  if (probes && world.alerting.posts.length > 0)
    problems.push(`the alert source was to be silent, but ${world.alerting.posts.length} notification(s) were posted`);
  const times = incidentTimes(measured.incident, measured);
  const figures = incidentFigures(times);
  const impact = {
    startMs: (times.impactStartedAt?.getTime() ?? bad.liveAt) - bad.liveAt,
    atGoLive: measured.incident.data.evidence?.impact === 'go_live',
  };
  problems.push(...checkFigures(incidentId, figures, observed, impact));
  const show = (f: { value: number; from: string } | undefined): string =>
    f ? `${seconds(f.value * 1000)} (${f.from})` : 'none';
  ctx.note(
    `the bot's figures for ${incidentId}: detection ${show(figures.detection)}; ` +
      `downtime ${show(figures.downtime)}; execution ${show(figures.execution)}`,
  );
  return problems;
}

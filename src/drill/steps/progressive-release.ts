/**
 * Step 6: a progressive release aborted by a canary failure. The team turns
 * off the automatic move of production domains, so a production build waits
 * as a candidate for /rollout; the developer pushes 2.1.0 and staging runs
 * it (its smoke tests pass there), but on production the candidate answers
 * every request with 500. The CTO, also a DevOps lead, types `/rollout`
 * (overriding the deploy window with a reason when the drill runs outside
 * it); the bot puts 10% of traffic on the canary, its guard probes the
 * canary's own URL each round at the service's trigger pace, and the 5xx
 * MUST aborts the release: an application rollback to the base deployment,
 * ROLLBACK IN PROGRESS / COMPLETE, the CTO told, and the stats count it.
 */
import {
  type DrillContext,
  type Problems,
  incidentIdOf,
  outcomeReason,
  outcomeWords,
  waitForOutcome,
  waitForRoot,
} from '../context';
import { PEOPLE } from '../people';
import { CANDIDATE_COMMIT, SERVICE_NAME } from '../scratch-app';
import { seconds, waitUntil } from '../wait';
import { STAGING_HOST } from '../drill-service';
import { checkDeployWindow } from '../../rollback/preflight/checks';
import { REQUIRED_CHECK } from '../github-protected';

/** The TypeScript check CI reports (one of the names git.checks.typescript matches by default). */
const TYPECHECK = 'typecheck';

const OVERRIDE_REASON = 'the rollback drill rehearses a release now, outside the window';
/** The 5xx MUST needs fiveXxMustForSeconds of failing rounds at the trigger pace (10 s at 5 s in the drill). */
const ABORT_DEADLINE_MS = 45_000;
const ROLLBACK_DEADLINE_MS = 30_000;
const RELEASE_LINE = 'Progressive rollouts: 1 started, 1 aborted; traffic exposed at abort: 10%';

/** One PASS/FAIL line per check; the failures are the step's problems. */
class Checks {
  readonly problems: Problems = [];
  constructor(private readonly ctx: DrillContext) {}
  check(passed: boolean, what: string, why = ''): boolean {
    this.ctx.note(`${passed ? 'PASS' : 'FAIL'}  ${what}${passed || !why ? '' : `: ${why}`}`);
    if (!passed) this.problems.push(why ? `${what}: ${why}` : what);
    return passed;
  }
}

/** The candidate: built for production but not serving it; the same commit on staging. */
async function shipCandidate(ctx: DrillContext): Promise<{ id: string; commit: string } | string> {
  const { world } = ctx;
  world.vercel.state.project.autoAssignCustomDomains = false;
  ctx.note('the team turned off the automatic move of production domains: a production build waits for /rollout');
  const commit = await world.repo.commit(CANDIDATE_COMMIT.files, CANDIDATE_COMMIT.message);
  await world.repo.push();
  ctx.note(`developer pushed ${commit.slice(0, 7)} "${CANDIDATE_COMMIT.message}" (2.1.0)`);
  // --github-protected: the pre-deployment checklist reads the candidate's CI from GitHub, so CI reports there.
  if (world.github) {
    world.github.repo.reportCheck(commit, REQUIRED_CHECK, 'success', { title: '48 passed, 0 failed' });
    world.github.repo.reportCheck(commit, TYPECHECK, 'success');
    ctx.note(`CI: checks "${REQUIRED_CHECK}" and "${TYPECHECK}" passed on ${commit.slice(0, 7)}`);
  }
  const build = await world.integration.waitForBuild(commit);
  if (!build?.deploymentId || build.state !== 'READY') {
    const why = build?.error ?? build?.state ?? 'no build within 30 s';
    return `the candidate ${commit.slice(0, 7)} did not build READY: ${why}`;
  }
  if (world.vercel.state.production()?.id === build.deploymentId)
    return 'the candidate serves production already: it cannot be released';
  world.vercel.state.addDeployment({ target: null, version: build.version, commit, url: STAGING_HOST });
  ctx.note(`staging (${STAGING_HOST}) runs ${commit.slice(0, 7)} too, with the secret: its smoke tests pass there`);
  // Production lacks the secret the new code reads: on its own URL every request answers 500.
  world.vercel.state.setApp(build.deploymentId, { errorRate: 1 });
  ctx.note(`on production the candidate ${build.deploymentId} lacks the secret: every request answers 500`);
  return { id: build.deploymentId, commit };
}

/** The CTO types /rollout, overriding the deploy window with a reason when the drill runs outside it. */
async function startRelease(ctx: DrillContext, checks: Checks, candidate: string): Promise<boolean> {
  const { world } = ctx;
  const window = checkDeployWindow(world.service, new Date());
  const outside = window.status === 'fail';
  const how = outside ? 'the CTO overrides it with a recorded reason' : 'no override needed';
  ctx.note(`deploy window: ${window.detail} (${how})`);
  const text = `${SERVICE_NAME} ${candidate}${outside ? ` override window ${OVERRIDE_REASON}` : ''}`;
  const answer = await world.people.command(PEOPLE.cto, text, '/rollout');
  const reply = (await waitUntil(() => world.transcript.answer(answer.responseId), 30_000))?.text ?? answer.text;
  const started = /Release REL-\S+ started: 10% of traffic/.test(reply);
  checks.check(started, '/rollout started the release at 10%', reply.split('\n')[0] ?? '');
  if (started && outside) {
    const recorded = reply.includes(OVERRIDE_REASON);
    checks.check(recorded, "the CTO's override of the deploy window recorded with its reason", 'not in the answer');
  }
  return started;
}

/** Requests to production's own domain: a release still active sends the canary its share of them. */
const TRAFFIC_SAMPLE = 20;

async function versionsServed(ctx: DrillContext, count: number): Promise<string[]> {
  const answers: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const response = await fetch(`${ctx.world.vercel.appUrl}/api/version`).catch(() => undefined);
    const body = response?.ok ? ((await response.json().catch(() => ({}))) as { version?: unknown }) : undefined;
    answers.push(typeof body?.version === 'string' ? body.version : `HTTP ${response?.status ?? 'error'}`);
  }
  return answers;
}

const tally = (answers: readonly string[]): string =>
  [...new Set(answers)].map((a) => `${a} ×${answers.filter((b) => b === a).length}`).join(', ');

/** The thread's line of the bot's own record: the release ended at `percent`. */
const exposedLine = (ctx: DrillContext, percent: number): Promise<unknown> =>
  waitUntil(
    () => ctx.world.transcript.messages().find((m) => m.rendered.includes(`Traffic exposed at abort: ${percent}%`)),
    10_000,
  );

async function statsLine(ctx: DrillContext): Promise<string | undefined> {
  const { world } = ctx;
  const stats = await world.people.command(PEOPLE.devopsLead, `stats ${SERVICE_NAME}`);
  const releases = (text: string | undefined): string | undefined =>
    text?.split('\n').find((l) => l.includes('Progressive rollouts'));
  return (
    releases(stats.text) ?? (await waitUntil(() => releases(world.transcript.answer(stats.responseId)?.text), 15_000))
  );
}

export async function releaseAbortedByCanary(ctx: DrillContext): Promise<Problems> {
  const { world } = ctx;
  const checks = new Checks(ctx);
  const base = world.vercel.state.production();
  if (!base) return ['no deployment serves production: there is nothing to release over'];
  const candidate = await shipCandidate(ctx);
  if (typeof candidate === 'string') return [candidate];
  const startedAt = Date.now();
  if (!(await startRelease(ctx, checks, candidate.id))) return checks.problems;

  const root = await waitForRoot(world.transcript, undefined, startedAt, ABORT_DEADLINE_MS);
  checks.check(root !== undefined, 'ROLLBACK IN PROGRESS posted', `nothing within ${seconds(ABORT_DEADLINE_MS)}`);
  if (!root) return checks.problems;
  const incidentId = incidentIdOf(root.rendered) ?? 'the incident';
  ctx.note(`the guard aborted the release ${seconds(root.postedAt - startedAt)} after /rollout (${incidentId})`);
  const outcome = await waitForOutcome(world.transcript, root, ROLLBACK_DEADLINE_MS);
  const failed = outcome
    ? `${outcomeWords(outcome)}: ${outcomeReason(outcome)}`
    : `none in ${seconds(ROLLBACK_DEADLINE_MS)}`;
  checks.check(outcome?.kind === 'complete', 'ROLLBACK COMPLETE posted', failed);

  const exposed = await exposedLine(ctx, 10);
  checks.check(exposed !== undefined, 'the release aborted at the 10% stage', 'no "Traffic exposed at abort: 10%"');
  const release = world.vercel.state.project.release;
  const vercelState = release ? `${release.state} at stage ${release.activeIndex + 1}` : 'none';
  const aborted = release?.canaryId === candidate.id && release.state === 'ABORTED' && release.activeIndex === 0;
  checks.check(aborted, "Vercel's rolling release ABORTED at its first stage", vercelState);
  const live = world.vercel.state.production();
  const answers = await versionsServed(ctx, TRAFFIC_SAMPLE);
  const onBase = live?.id === base.id && answers.every((a) => a === base.app.version);
  const seen = `${live?.id ?? 'nothing'} serves production; ${TRAFFIC_SAMPLE} requests answered ${tally(answers)}`;
  checks.check(onBase, `all of ${TRAFFIC_SAMPLE} production requests answered by the base ${base.app.version}`, seen);
  const toldCto = await waitUntil(
    () =>
      world.slack.calls.some(
        (c) => c.method === 'conversations.open' && String(c.params.users).includes(PEOPLE.cto.id),
      ) && world.transcript.messages().find((m) => m.channel.startsWith('D') && m.rendered.includes(incidentId)),
    10_000,
  );
  checks.check(toldCto !== undefined, 'the CTO told in a direct message', `nothing about ${incidentId}`);
  const line = (await statsLine(ctx))?.trim();
  const counted = line?.includes(RELEASE_LINE) === true;
  checks.check(counted, '/rollback stats: 1 release, 1 abort, 10% exposed at abort', line ?? 'no release line');
  return checks.problems;
}

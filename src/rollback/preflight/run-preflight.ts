/**
 * Runs the whole pre-deployment checklist for one service and candidate
 * commit. Checks run one after another: the migrations and environment checks
 * both use the service's git working clone, which takes one action at a time.
 */
import type { ServiceConfig } from '../../config/service-schema';
import { asRollbackError } from '../errors';
import { type CommitSha, parseCommitSha } from '../ids';
import {
  checkAlertsChannel,
  checkDeployIdentity,
  checkDeployWindow,
  checkEnvironment,
  checkMigrations,
  checkOnCall,
  checkRollbackTarget,
} from './checks';
import { checkRollbackPlan, checkTests, checkTypescript } from './ci-checks';
import type { CiStatusPort, PreflightDeps } from './ports';
import { type PreflightCheck, type PreflightReport, failed } from './report';

interface PreflightInput {
  readonly service: ServiceConfig;
  /** The commit to be deployed (7-40 hex); default the deploy branch head. */
  readonly candidate?: string;
  /** Names of the variables set in production; undefined skips the environment check. */
  readonly productionEnvNames?: readonly string[];
  /** The service's unavailable capabilities (config/credentials), reported as they are. */
  readonly unavailable?: readonly string[];
}

type Resolved<T> = { ok: true; value: T } | { ok: false; problem: string; fix: string };

async function attempt<T>(what: string, work: () => Promise<T>): Promise<Resolved<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    const problem = asRollbackError(error, 'external');
    return {
      ok: false,
      problem: `Could not ${what}: ${problem.message}`,
      fix: problem.fix ?? 'Fix the cause above and run the checklist again.',
    };
  }
}

async function ciChecks(
  deps: PreflightDeps,
  ci: CiStatusPort,
  service: ServiceConfig,
  live: CommitSha | undefined,
  candidate: Resolved<CommitSha>,
): Promise<PreflightCheck[]> {
  if (!candidate.ok) {
    const because = { detail: candidate.problem, fix: candidate.fix };
    return [failed('tests', because), failed('typescript', because), failed('rollback-plan', because)];
  }
  const read = await attempt('read the CI results', () => ci.commitChecks(service, candidate.value));
  const results = read.ok
    ? [checkTests(service, read.value, candidate.value), checkTypescript(service, read.value, candidate.value)]
    : [
        failed('tests', { detail: read.problem, fix: read.fix }),
        failed('typescript', { detail: read.problem, fix: read.fix }),
      ];
  return [...results, await checkRollbackPlan(deps, service, live, candidate.value)];
}

export async function runPreflight(deps: PreflightDeps, input: PreflightInput): Promise<PreflightReport> {
  const { service } = input;
  const checkedAt = deps.clock.now();
  const candidate = await attempt<CommitSha>('determine the candidate commit', async () =>
    input.candidate === undefined ? deps.code.branchHead(service.name) : parseCommitSha(input.candidate),
  );
  const production = await attempt('read what production runs', () => deps.application.describeProduction(service));
  const live = production.ok ? production.value.current.commitSha : undefined;

  const checks: PreflightCheck[] = [];
  if (!candidate.ok) {
    const because = { detail: candidate.problem, fix: candidate.fix };
    checks.push(failed('migrations', because), failed('environment', because));
  } else {
    checks.push(
      production.ok
        ? await checkMigrations(deps, service, live, candidate.value)
        : failed('migrations', { detail: production.problem, fix: production.fix }),
    );
    checks.push(await checkEnvironment(deps, service, candidate.value, input.productionEnvNames));
  }
  checks.push(checkDeployWindow(service, checkedAt), checkOnCall(service), await checkRollbackTarget(deps, service));
  if (deps.ci && service.git.github) checks.push(...(await ciChecks(deps, deps.ci, service, live, candidate)));
  if (deps.application.checkDeployIdentity) checks.push(await checkDeployIdentity(deps, service));
  if (deps.alertsChannel) checks.push(await checkAlertsChannel(deps.alertsChannel, service));
  return {
    service: service.name,
    candidate: candidate.ok ? candidate.value : undefined,
    live,
    checkedAt,
    checks,
    passed: checks.every((check) => check.status !== 'fail'),
    ...(input.unavailable?.length ? { unavailable: input.unavailable } : {}),
  };
}

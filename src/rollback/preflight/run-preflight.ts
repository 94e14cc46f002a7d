/**
 * Runs the whole pre-deployment checklist for one service and candidate
 * commit. Checks run one after another: the migrations and environment checks
 * both use the service's git working clone, which takes one action at a time.
 */
import type { ServiceConfig } from '../../config/service-schema';
import { asRollbackError } from '../errors';
import { type CommitSha, parseCommitSha } from '../ids';
import { checkDeployWindow, checkEnvironment, checkMigrations, checkOnCall, checkRollbackTarget } from './checks';
import type { PreflightDeps } from './ports';
import { type PreflightCheck, type PreflightReport, failed } from './report';

export interface PreflightInput {
  readonly service: ServiceConfig;
  /** The commit to be deployed (7-40 hex); default the deploy branch head. */
  readonly candidate?: string;
  /** Names of the variables set in production; undefined skips the environment check. */
  readonly productionEnvNames?: readonly string[];
}

type Resolved<T> = { ok: true; value: T } | { ok: false; problem: string; fix: string };

async function attempt<T>(what: string, work: () => Promise<T>): Promise<Resolved<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    const problem = asRollbackError(error, 'external');
    return { ok: false, problem: `Could not ${what}: ${problem.message}`, fix: problem.fix ?? 'Fix the cause above and run the checklist again.' };
  }
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
  return {
    service: service.name,
    candidate: candidate.ok ? candidate.value : undefined,
    live,
    checkedAt,
    checks,
    passed: checks.every((check) => check.status !== 'fail'),
  };
}

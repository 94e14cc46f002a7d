/**
 * One probe run for one service: health, version, every smoke test (the
 * sign-in one marked), and the database-write probe when the service names a
 * table, each with its own timeout, recorded in probe_results with what
 * production served. When the version endpoint reports another deployment
 * than the one recorded as serving, serving-deployment.ts learns which one it
 * is and records the change.
 */
import type { ServiceConfig } from '../config/service-schema';
import type { Logger } from '../logger';
import type { Clock } from '../rollback/clock';
import type { ApplicationPort, CheckResult } from '../rollback/ports/application';
import type { DeploymentRecord, IncidentStore } from '../rollback/ports/incident-store';
import { DB_WRITE_CHECK, isSignInTest } from '../rollback/signals/probe-evidence';
import { type ProbeResult, insertProbeResults } from '../store/queries/probes';
import type { Db } from '../store/pool';
import type { FetchLike } from './app-version';
import { appProtection } from './protection-bypass';
import { type Identified, type Reported, type Served, identify, parseReported } from './serving-deployment';
import { readVersionAnswer, expect2xx, fillEnv, httpCheck, smoke, type VerifyOptions } from './verify';
import { type WriteProbe, pgWriteProbe } from './write-probe';

export interface ProbeDeps {
  readonly db: Db;
  readonly store: Pick<IncidentStore, 'appendTimeline' | 'recordDeployment'>;
  /** Asked only when the version endpoint reports a change, to learn the deployment's id. */
  readonly application: Pick<ApplicationPort, 'describeProduction'>;
  readonly clock: Clock;
  /** Values for "${NAME}" in smoke tests and the app database URL (database.urlEnv). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly fetch?: FetchLike;
  /** Per-check timeout; default half the evaluation interval, at most 10 s. */
  readonly timeoutMs?: number;
  readonly writeProbe?: WriteProbe;
}

interface ProbeRun {
  readonly at: Date;
  readonly results: readonly ProbeResult[];
  readonly served: Served;
  /** Set when this run saw production move to another deployment. */
  readonly newDeployment?: DeploymentRecord;
}

const probeTimeoutMs = (service: ServiceConfig): number =>
  Math.min(10_000, (service.triggers.evaluationIntervalSeconds * 1000) / 2);

type Check = Omit<ProbeResult, 'service' | 'at' | 'deploymentId' | 'version' | 'commitSha'>;

const fromCheck = (name: string, result: CheckResult, signIn = false): Check => ({
  check: name,
  ran: true,
  ok: result.pass,
  signIn,
  statusCode: result.status,
  latencyMs: result.latencyMs,
  error: result.pass ? undefined : result.detail,
});

async function httpChecks(
  service: ServiceConfig,
  deps: ProbeDeps,
  timeoutMs: number,
): Promise<{ checks: Check[]; reported?: Reported }> {
  const base = service.production.url.replace(/\/+$/, '');
  const options: VerifyOptions = {
    fetch: deps.fetch,
    clock: deps.clock,
    sleep: () => Promise.resolve(),
    env: deps.env,
    checkTimeoutMs: timeoutMs,
    protection: appProtection(service, deps.env),
  };
  let reported: Reported | undefined;
  const readVersion = (status: number, body: string) => {
    // A probe compares nothing here: a readable answer passes, and what it reports is compared with the records below.
    const answer = readVersionAnswer(status, body);
    if (!('reported' in answer)) return answer;
    reported = parseReported(body);
    return {
      pass: true,
      detail: `reports version ${answer.reported.version ?? '?'} commit ${answer.reported.commit ?? '?'}`,
    };
  };
  const smokes = service.production.smokeTests.map(async (test): Promise<Check> => {
    const name = `smoke:${test.name}`;
    const signIn = isSignInTest(test);
    const missing = new Set<string>();
    fillEnv([test.headers, test.body], deps.env, missing);
    if (missing.size > 0) {
      return {
        check: name,
        ran: false,
        ok: false,
        signIn,
        latencyMs: 0,
        error: `not run: environment variable ${[...missing].join(', ')} is not set for the bot`,
      };
    }
    return fromCheck(name, await smoke(test, base, options), signIn);
  });
  const [health, version, ...rest] = await Promise.all([
    httpCheck(
      'health',
      'health',
      options,
      `${base}${service.production.healthPath}`,
      { method: 'GET' },
      expect2xx,
    ).then((r) => fromCheck('health', r)),
    httpCheck(
      'version',
      'version',
      options,
      `${base}${service.production.versionPath}`,
      { method: 'GET' },
      readVersion,
    ).then((r) => fromCheck('version', r)),
    ...smokes,
  ]);
  return { checks: [health as Check, version as Check, ...rest], reported };
}

async function dbWriteCheck(service: ServiceConfig, deps: ProbeDeps, timeoutMs: number): Promise<Check | undefined> {
  const database = service.database;
  if (!database?.writeProbeTable) return undefined;
  const url = deps.env[database.urlEnv];
  if (!url) {
    return {
      check: DB_WRITE_CHECK,
      ran: false,
      ok: false,
      signIn: false,
      latencyMs: 0,
      error: `not run: environment variable ${database.urlEnv} (database.urlEnv) is not set for the bot`,
    };
  }
  const outcome = await (deps.writeProbe ?? pgWriteProbe)(url, database.writeProbeTable, timeoutMs);
  const unusable = outcome.error?.includes('is not a plain table name') ?? false;
  return {
    check: DB_WRITE_CHECK,
    ran: !unusable,
    ok: outcome.ok,
    signIn: false,
    latencyMs: outcome.latencyMs,
    error: unusable ? `not run: database.writeProbeTable ${outcome.error}` : outcome.error,
  };
}

/**
 * `at` stamps every result of the run and a deployment's start of serving:
 * the scheduled job passes its cron slot, so each run sits exactly on its
 * tick and an evaluation of [slot - interval, slot) sees exactly one run.
 */
export async function runProbes(
  deps: ProbeDeps,
  service: ServiceConfig,
  at: Date = deps.clock.now(),
): Promise<ProbeRun> {
  const timeoutMs = deps.timeoutMs ?? probeTimeoutMs(service);
  const [http, dbWrite] = await Promise.all([
    httpChecks(service, deps, timeoutMs),
    dbWriteCheck(service, deps, timeoutMs),
  ]);
  const known: Identified = http.reported ? await identify(service, deps, http.reported, at) : { served: {} };
  const results: ProbeResult[] = [...http.checks, ...(dbWrite ? [dbWrite] : [])].map((check) => ({
    ...check,
    service: service.name,
    at,
    deploymentId: known.served.deploymentId,
    version: known.served.version,
    commitSha: known.served.commitSha,
  }));
  await deps.db.query(insertProbeResults(results));
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) {
    deps.logger.info(
      { failed: failed.map((r) => ({ check: r.check, status: r.statusCode, error: r.error })) },
      `${failed.length} of ${results.length} probe checks failed`,
    );
  }
  return { at, results, served: known.served, newDeployment: known.newDeployment };
}

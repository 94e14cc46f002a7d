/**
 * One probe run for one service: health, version, every smoke test (the
 * sign-in one marked), and the database-write probe when the service names a
 * table, each with its own timeout, recorded in probe_results with what
 * production served. When the version endpoint reports another deployment
 * than the one recorded as serving, Vercel is asked which deployment that is,
 * the new one is recorded as serving from now, the previous one stops, and the
 * service's timeline says so. A redeploy of the same commit and version is
 * told apart only when the version answer carries `deploymentId` (Vercel's
 * VERCEL_DEPLOYMENT_ID); otherwise it counts as the same deployment.
 */
import type { ServiceConfig } from '../config/service-schema';
import type { Logger } from '../logger';
import type { Clock } from '../rollback/clock';
import { asRollbackError } from '../rollback/errors';
import { describeDeployment } from '../rollback/last-known-good/rules';
import type { ApplicationPort, CheckResult, DeploymentSummary } from '../rollback/ports/application';
import type { DeploymentRecord, IncidentStore } from '../rollback/ports/incident-store';
import { DB_WRITE_CHECK, isSignInTest } from '../rollback/signals/probe-evidence';
import { type DeploymentRow, toDeployment } from '../store/queries/deployments';
import { type ProbeResult, insertProbeResults, selectLastSeen, selectServingDeployment, startServing, stopServingOthers } from '../store/queries/probes';
import type { Db } from '../store/pool';
import { type FetchLike, parseAppVersion, sameCommit, sameVersion } from './app-version';
import { appProtection } from './protection-bypass';
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

/** What production said it served, from its version endpoint. */
interface Served {
  readonly deploymentId?: string;
  readonly version?: string;
  readonly commitSha?: string;
}

interface ProbeRun {
  readonly at: Date;
  readonly results: readonly ProbeResult[];
  readonly served: Served;
  /** Set when this run saw production move to another deployment. */
  readonly newDeployment?: DeploymentRecord;
}

const probeTimeoutMs = (service: ServiceConfig): number => Math.min(10_000, (service.triggers.evaluationIntervalSeconds * 1000) / 2);

interface Reported {
  readonly version?: string;
  readonly commitSha?: string;
  /** Vercel's VERCEL_DEPLOYMENT_ID, when the app puts it in its version answer. */
  readonly deploymentId?: string;
}

function parseReported(body: string): Reported | undefined {
  try {
    const json: unknown = JSON.parse(body);
    const parsed = parseAppVersion(json);
    if (!parsed || (parsed.version === undefined && parsed.commit === undefined)) return undefined;
    const id = (json as { deploymentId?: unknown }).deploymentId;
    return { version: parsed.version, commitSha: parsed.commit, deploymentId: typeof id === 'string' && id !== '' ? id : undefined };
  } catch {
    return undefined;
  }
}

/** Whether what production reports is the recorded deployment; undefined when nothing comparable is known. */
function sameDeployment(recorded: DeploymentRecord, reported: Reported): boolean | undefined {
  if (reported.deploymentId) return reported.deploymentId === recorded.deploymentId;
  if (reported.commitSha && recorded.commitSha) {
    if (!sameCommit(reported.commitSha, recorded.commitSha)) return false;
    return reported.version && recorded.version ? sameVersion(reported.version, recorded.version) : true;
  }
  if (reported.version && recorded.version) return sameVersion(reported.version, recorded.version);
  return undefined;
}

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

async function httpChecks(service: ServiceConfig, deps: ProbeDeps, timeoutMs: number): Promise<{ checks: Check[]; reported?: Reported }> {
  const base = service.production.url.replace(/\/+$/, '');
  const options: VerifyOptions = { fetch: deps.fetch, clock: deps.clock, sleep: () => Promise.resolve(), env: deps.env, checkTimeoutMs: timeoutMs, protection: appProtection(service, deps.env) };
  let reported: Reported | undefined;
  const readVersion = (status: number, body: string) => {
    // A probe compares nothing here: a readable answer passes, and what it reports is compared with the records below.
    const answer = readVersionAnswer(status, body);
    if (!('reported' in answer)) return answer;
    reported = parseReported(body);
    return { pass: true, detail: `reports version ${answer.reported.version ?? '?'} commit ${answer.reported.commit ?? '?'}` };
  };
  const smokes = service.production.smokeTests.map(async (test): Promise<Check> => {
    const name = `smoke:${test.name}`;
    const signIn = isSignInTest(test);
    const missing = new Set<string>();
    fillEnv([test.headers, test.body], deps.env, missing);
    if (missing.size > 0) {
      return { check: name, ran: false, ok: false, signIn, latencyMs: 0, error: `not run: environment variable ${[...missing].join(', ')} is not set for the bot` };
    }
    return fromCheck(name, await smoke(test, base, options), signIn);
  });
  const [health, version, ...rest] = await Promise.all([
    httpCheck('health', 'health', options, `${base}${service.production.healthPath}`, { method: 'GET' }, expect2xx).then((r) => fromCheck('health', r)),
    httpCheck('version', 'version', options, `${base}${service.production.versionPath}`, { method: 'GET' }, readVersion).then((r) => fromCheck('version', r)),
    ...smokes,
  ]);
  return { checks: [health as Check, version as Check, ...rest], reported };
}

async function dbWriteCheck(service: ServiceConfig, deps: ProbeDeps, timeoutMs: number): Promise<Check | undefined> {
  const database = service.database;
  if (!database?.writeProbeTable) return undefined;
  const url = deps.env[database.urlEnv];
  if (!url) {
    return { check: DB_WRITE_CHECK, ran: false, ok: false, signIn: false, latencyMs: 0, error: `not run: environment variable ${database.urlEnv} (database.urlEnv) is not set for the bot` };
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
 * Which deployment serves, recording a change. Vercel is asked only on a
 * change; when it cannot be asked, or names a deployment that does not match
 * what production reports, nothing is recorded and the next run asks again.
 */
interface Identified {
  readonly served: Served;
  readonly newDeployment?: DeploymentRecord;
}

async function identify(service: ServiceConfig, deps: ProbeDeps, reported: Reported, at: Date): Promise<Identified> {
  const [row] = await deps.db.query<DeploymentRow>(selectServingDeployment(service.name));
  const recorded = row ? toDeployment(row) : undefined;
  const asReported: Served = { version: reported.version, commitSha: reported.commitSha };
  if (recorded && sameDeployment(recorded, reported) === true) return { served: { ...asReported, deploymentId: recorded.deploymentId } };
  let current: DeploymentSummary;
  try {
    current = (await deps.application.describeProduction(service, { background: true })).current;
  } catch (error) {
    deps.logger.warn({ err: asRollbackError(error) }, `production reports ${describeReported(reported)}, but Vercel could not be asked which deployment that is; trying again next run`);
    return { served: asReported };
  }
  const matches = reported.deploymentId
    ? reported.deploymentId === current.id
    : reported.commitSha && current.commitSha
      ? sameCommit(reported.commitSha, current.commitSha)
      : reported.version !== undefined && current.version !== undefined && sameVersion(reported.version, current.version);
  if (!matches) {
    deps.logger.warn(
      { deploymentId: current.id, commit: current.commitSha, version: current.version },
      `production reports ${describeReported(reported)}, but Vercel's production deployment is ${current.id}: not recorded until they agree`,
    );
    return { served: asReported };
  }
  const deployment: DeploymentRecord = {
    service: service.name,
    deploymentId: current.id,
    url: current.url,
    commitSha: current.commitSha ?? reported.commitSha,
    version: reported.version ?? current.version,
    notes: current.commitMessage?.split('\n')[0],
  };
  const served: Served = { ...asReported, deploymentId: current.id };
  if (recorded?.deploymentId === current.id) {
    // The same deployment, known with fewer facts before: fill them in, its serving time goes on.
    await deps.store.recordDeployment(deployment);
    return { served };
  }
  const liveAt = await goLive(deps, service, recorded, current, at);
  await deps.db.transaction(async (tx) => {
    await tx.query(stopServingOthers(service.name, current.id, liveAt));
    await tx.query(startServing(deployment, liveAt));
  });
  await deps.store.appendTimeline({
    service: service.name,
    at,
    actor: 'rollback-bot',
    kind: 'deployment_seen',
    message: `New deployment seen: ${deployment.version ?? 'unknown version'}, commit ${deployment.commitSha?.slice(0, 7) ?? 'unknown'} (${deployment.deploymentId})${recorded ? `, replacing ${describeDeployment(recorded)}` : ''}.`,
    data: { deploymentId: deployment.deploymentId, version: deployment.version ?? null, commit: deployment.commitSha ?? null, previous: recorded?.deploymentId ?? null },
  });
  return { served, newDeployment: { ...deployment, servedFrom: liveAt } };
}

/**
 * When production started serving the new deployment: Vercel's alias (or
 * READY) time, kept between the last probe run that still saw the previous
 * deployment and this run, the first to see the new one. Without Vercel's time,
 * this run: the earliest probe that saw it.
 */
async function goLive(deps: ProbeDeps, service: ServiceConfig, previous: DeploymentRecord | undefined, current: DeploymentSummary, at: Date): Promise<Date> {
  const said = current.liveSince?.getTime();
  if (said === undefined || said >= at.getTime()) return at;
  let floor = previous?.servedFrom?.getTime() ?? -Infinity;
  if (previous) {
    const [seen] = await deps.db.query<{ at: Date | null }>(selectLastSeen(service.name, previous.deploymentId));
    if (seen?.at) floor = Math.max(floor, seen.at.getTime());
  }
  return new Date(Math.max(said, floor));
}

function describeReported(reported: Reported): string {
  return [reported.version && `version ${reported.version}`, reported.commitSha && `commit ${reported.commitSha}`, reported.deploymentId].filter(Boolean).join(', ');
}

/**
 * `at` stamps every result of the run and a deployment's start of serving:
 * the scheduled job passes its cron slot, so each run sits exactly on its
 * tick and an evaluation of [slot - interval, slot) sees exactly one run.
 */
export async function runProbes(deps: ProbeDeps, service: ServiceConfig, at: Date = deps.clock.now()): Promise<ProbeRun> {
  const timeoutMs = deps.timeoutMs ?? probeTimeoutMs(service);
  const [http, dbWrite] = await Promise.all([httpChecks(service, deps, timeoutMs), dbWriteCheck(service, deps, timeoutMs)]);
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
    deps.logger.info({ failed: failed.map((r) => ({ check: r.check, status: r.statusCode, error: r.error })) }, `${failed.length} of ${results.length} probe checks failed`);
  }
  return { at, results, served: known.served, newDeployment: known.newDeployment };
}

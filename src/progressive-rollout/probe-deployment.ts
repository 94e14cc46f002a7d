/**
 * Probes one deployment on its own URL (not the production domains, which
 * split traffic between canary and base): health, version and the service's
 * smoke tests, with the Deployment Protection bypass. The same checks run
 * against staging before a release, for the candidate's smoke gate.
 */
import type { ServiceConfig } from '../config/service-schema';
import type { FetchLike } from '../probes/app-version';
import { appProtection } from '../probes/protection-bypass';
import { type VerifyOptions, expect2xx, httpCheck, readVersionAnswer, smoke } from '../probes/verify';
import type { Clock } from '../rollback/clock';
import type { CheckResult } from '../rollback/ports/application';
import { isSignInTest, type ProbeObservation } from '../rollback/signals/probe-evidence';
import type { StagingSmoke } from '../rollback/release/gates';

export interface ProbeContext {
  readonly fetch?: FetchLike;
  readonly clock: Clock;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where a deployment's own routes answer; default https://<host>. */
  readonly deploymentOrigin?: ((host: string) => string) | undefined;
  readonly checkTimeoutMs?: number;
}

interface DeploymentRound {
  readonly observations: ProbeObservation[];
  /** Latencies of the successful answers, ms. */
  readonly latencies: number[];
  /** What the version endpoint reported. */
  readonly commit: string | undefined;
  readonly checks: CheckResult[];
}

function options(service: ServiceConfig, ctx: ProbeContext): VerifyOptions {
  return {
    fetch: ctx.fetch,
    clock: ctx.clock,
    sleep: () => Promise.resolve(),
    env: ctx.env,
    checkTimeoutMs: ctx.checkTimeoutMs ?? 5_000,
    protection: appProtection(service, ctx.env),
  };
}

async function checksAt(service: ServiceConfig, base: string, ctx: ProbeContext): Promise<DeploymentRound> {
  const opts = options(service, ctx);
  const { production } = service;
  let commit: string | undefined;
  const version = httpCheck(
    'version',
    'version',
    opts,
    `${base}${production.versionPath}`,
    { method: 'GET' },
    (status, body) => {
      const answer = readVersionAnswer(status, body);
      if (!('reported' in answer)) return answer;
      commit = answer.reported.commit;
      return { pass: true, detail: `reports version ${answer.reported.version ?? '?'} commit ${commit ?? '?'}` };
    },
  );
  const checks = await Promise.all([
    httpCheck('health', 'health', opts, `${base}${production.healthPath}`, { method: 'GET' }, expect2xx),
    version,
    ...production.smokeTests.map((test) => smoke(test, base, opts)),
  ]);
  const at = ctx.clock.now();
  const signIn = new Set(production.smokeTests.filter(isSignInTest).map((t) => `smoke: ${t.name}`));
  const observations = checks.map((c) => ({
    check: c.name === 'health' || c.name === 'version' ? c.name : `smoke:${c.name.replace(/^smoke: /, '')}`,
    // A smoke test the bot could not send (a variable unset) says nothing about the deployment.
    ran: !(c.status === undefined && c.detail.startsWith('not run')),
    ok: c.pass,
    signIn: signIn.has(c.name),
    ...(c.status !== undefined ? { status: c.status } : {}),
    at,
  }));
  const latencies = checks.filter((c) => c.pass && c.status !== undefined).map((c) => c.latencyMs);
  return { observations, latencies, commit, checks };
}

/** One round of checks on a deployment's own URL. */
export function probeDeployment(service: ServiceConfig, host: string, ctx: ProbeContext): Promise<DeploymentRound> {
  const origin = ctx.deploymentOrigin?.(host) ?? `https://${host}`;
  return checksAt(service, origin.replace(/\/+$/, ''), ctx);
}

/** The candidate's smoke tests against staging: which commit staging runs, and which checks failed. */
export async function stagingSmoke(
  service: ServiceConfig,
  stagingUrl: string | undefined,
  ctx: ProbeContext,
): Promise<StagingSmoke> {
  if (!stagingUrl) {
    return {
      stagingCommit: undefined,
      failures: [],
      problem: `${service.name} has no staging URL: set rollout.stagingUrl or staging.url in the services file.`,
    };
  }
  const round = await checksAt(service, stagingUrl.replace(/\/+$/, ''), ctx);
  const failures = round.checks.filter((c) => !c.pass).map((c) => `${c.name}: ${c.detail}`);
  if (round.checks.every((c) => c.status === undefined)) {
    return {
      stagingCommit: undefined,
      failures,
      problem: `Staging (${stagingUrl}) did not answer: ${failures[0] ?? 'no answer'}.`,
    };
  }
  return { stagingCommit: round.commit, failures };
}

/**
 * Rollback verification against the production URL: health answers 2xx, the
 * version endpoint reports the expected version or commit, every configured
 * smoke test passes. Retried until the deadline; every check is reported with
 * pass/fail, status and latency so the incident names the one that failed.
 */
import type { ServiceConfig, SmokeTest } from '../config/service-schema';
import type { Clock } from '../rollback/clock';
import type { CheckResult, ExpectedVersion, VerificationReport } from '../rollback/ports/application';
import { type FetchLike, parseAppVersion, sameCommit, sameVersion } from './app-version';
import { type AppProtection, appProtection } from './protection-bypass';

export interface VerifyOptions {
  readonly fetch?: FetchLike;
  readonly clock: Clock;
  readonly sleep: (ms: number) => Promise<void>;
  /** Values for "${NAME}" strings in smoke-test bodies and headers. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Per-check timeout. */
  readonly checkTimeoutMs?: number;
  /** Pause between attempts. */
  readonly retryIntervalMs?: number;
  /** Overrides service.production.verifyDeadlineSeconds (the drill uses a short one). */
  readonly deadlineMs?: number;
  /** The Deployment Protection bypass header and the words for a 401/403; verifyProduction sets it from the service. */
  readonly protection?: AppProtection;
}

/**
 * Passes only after `production.verifyRounds` consecutive rounds in which every
 * check passed. The deadline limits the retries after a failing round; a streak
 * under way when it passes may finish, and a round that fails after it ends
 * verification as failed.
 */
export async function verifyProduction(
  service: ServiceConfig,
  expected: ExpectedVersion,
  given: VerifyOptions,
): Promise<VerificationReport> {
  const options: VerifyOptions = { ...given, protection: appProtection(service, given.env) };
  const startedAt = options.clock.now();
  const deadline = startedAt.getTime() + (options.deadlineMs ?? service.production.verifyDeadlineSeconds * 1000);
  const base = service.production.url.replace(/\/+$/, '');
  const rounds = service.production.verifyRounds;
  const interval = options.retryIntervalMs ?? 2000;
  let attempts = 0;
  let streak = 0;
  for (;;) {
    attempts += 1;
    const checks = await runChecks(service, base, expected, options);
    const failedCheck = checks.find((c) => !c.pass);
    streak = failedCheck ? 0 : streak + 1;
    const now = options.clock.now();
    if (streak >= rounds || (failedCheck && now.getTime() >= deadline)) {
      return { passed: !failedCheck, url: base, attempts, checks, failedCheck, startedAt, finishedAt: now };
    }
    await options.sleep(failedCheck ? Math.min(interval, Math.max(0, deadline - now.getTime())) : interval);
  }
}

async function runChecks(
  service: ServiceConfig,
  base: string,
  expected: ExpectedVersion,
  options: VerifyOptions,
): Promise<CheckResult[]> {
  const { production } = service;
  const checks = [
    httpCheck('health', 'health', options, `${base}${production.healthPath}`, { method: 'GET' }, expect2xx),
    httpCheck('version', 'version', options, `${base}${production.versionPath}`, { method: 'GET' }, (status, body) =>
      checkVersion(status, body, expected),
    ),
    ...production.smokeTests.map((test) => smoke(test, base, options)),
  ];
  return Promise.all(checks);
}

type Judge = (status: number, body: string) => { pass: boolean; detail: string };

export const expect2xx: Judge = (status) =>
  status >= 200 && status < 300
    ? { pass: true, detail: 'answered 2xx' }
    : { pass: false, detail: `answered HTTP ${status}, expected 2xx` };

/** One GET/POST against the app with the per-check timeout, timed and judged; never throws. */
export function httpCheck(
  name: string,
  kind: CheckResult['kind'],
  options: VerifyOptions,
  url: string,
  init: RequestInit,
  judge: Judge,
): Promise<CheckResult> {
  return timed(name, kind, options, url, () => request(options, url, init), judge);
}

/** A version endpoint's answer read on its own: what it reports, or why it is no answer. */
export function readVersionAnswer(
  status: number,
  body: string,
): { reported: NonNullable<ReturnType<typeof parseAppVersion>> } | { pass: false; detail: string } {
  if (status < 200 || status >= 300) return { pass: false, detail: `answered HTTP ${status}, expected 2xx` };
  let reported: ReturnType<typeof parseAppVersion>;
  try {
    reported = parseAppVersion(JSON.parse(body));
  } catch {
    reported = undefined;
  }
  return reported ? { reported } : { pass: false, detail: 'did not answer with {"version","commit"} JSON' };
}

function checkVersion(status: number, body: string, expected: ExpectedVersion): { pass: boolean; detail: string } {
  const answer = readVersionAnswer(status, body);
  if (!('reported' in answer)) return answer;
  const { reported } = answer;
  const says = `reports version ${reported.version ?? '?'} commit ${reported.commit ?? '?'}`;
  if (expected.appNotMoved) return { pass: true, detail: `${says}; the rollback did not move the app` };
  // A field the target shares with the bad deployment (a redeploy of the same commit) tells them apart no more.
  const badCommit =
    expected.notCommitSha !== undefined &&
    !(expected.commitSha !== undefined && sameCommit(expected.commitSha, expected.notCommitSha))
      ? expected.notCommitSha
      : undefined;
  const badVersion =
    expected.notVersion !== undefined &&
    !(expected.version !== undefined && sameVersion(expected.version, expected.notVersion))
      ? expected.notVersion
      : undefined;
  const stillBad =
    (badCommit !== undefined && reported.commit !== undefined && sameCommit(reported.commit, badCommit)) ||
    (badVersion !== undefined && reported.version !== undefined && sameVersion(reported.version, badVersion));
  if (stillBad) return { pass: false, detail: `${says}: production still serves the bad deployment` };
  if (expected.version !== undefined || expected.commitSha !== undefined) {
    const versionOk =
      expected.version !== undefined &&
      reported.version !== undefined &&
      sameVersion(reported.version, expected.version);
    const commitOk =
      expected.commitSha !== undefined &&
      reported.commit !== undefined &&
      sameCommit(reported.commit, expected.commitSha);
    if (versionOk || commitOk) return { pass: true, detail: says };
    const wanted = [
      expected.version && `version ${expected.version}`,
      expected.commitSha && `commit ${expected.commitSha.slice(0, 12)}`,
    ]
      .filter(Boolean)
      .join(' or ');
    return { pass: false, detail: `${says}, expected ${wanted}` };
  }
  // The target's version and commit are unknown: the least proof is that the bad deployment's are gone.
  const comparable =
    (badCommit !== undefined && reported.commit !== undefined) ||
    (badVersion !== undefined && reported.version !== undefined);
  if (comparable) return { pass: true, detail: `${says}, no longer the bad deployment's` };
  return {
    pass: false,
    detail:
      `${says}; inconclusive: neither the target's nor the bad deployment's version or ` +
      `commit is known to compare with, and unknown is not a pass`,
  };
}

export function smoke(test: SmokeTest, base: string, options: VerifyOptions): Promise<CheckResult> {
  const name = `smoke: ${test.name}`;
  const missing = new Set<string>();
  const fill = (value: unknown): unknown => fillEnv(value, options.env, missing);
  const headers = fill(test.headers) as Record<string, string>;
  const body = test.body === undefined ? undefined : JSON.stringify(fill(test.body));
  if (missing.size > 0) {
    return Promise.resolve({
      name,
      kind: 'smoke',
      pass: false,
      status: undefined,
      latencyMs: 0,
      detail: `not run: environment variable ${[...missing].join(', ')} is not set for the bot`,
    });
  }
  const init: RequestInit = {
    method: test.method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body,
  };
  return httpCheck(name, 'smoke', options, `${base}${test.path}`, init, (status) => {
    const ok = test.expectStatus ? test.expectStatus.includes(status) : status >= 200 && status < 300;
    const wanted = test.expectStatus ? test.expectStatus.join('/') : '2xx';
    return ok
      ? { pass: true, detail: `answered HTTP ${status}` }
      : { pass: false, detail: `answered HTTP ${status}, expected ${wanted}` };
  });
}

const ENV_REF = /^\$\{([A-Z_][A-Z0-9_]*)\}$/;

/** Replaces string values that are exactly "${NAME}"; the values never reach the report. */
export function fillEnv(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  missing: Set<string>,
): unknown {
  if (typeof value === 'string') {
    const match = ENV_REF.exec(value);
    if (!match) return value;
    const name = match[1] as string;
    const filled = env[name];
    if (filled === undefined) missing.add(name);
    return filled ?? '';
  }
  if (Array.isArray(value)) return value.map((v) => fillEnv(v, env, missing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillEnv(v, env, missing)]));
  }
  return value;
}

interface Answer {
  readonly status: number;
  readonly body: string;
}

async function request(options: VerifyOptions, url: string, init: RequestInit): Promise<Answer> {
  const fetchImpl = options.fetch ?? ((input: string, i?: RequestInit) => fetch(input, i));
  const headers = { ...options.protection?.headers, ...(init.headers as Record<string, string> | undefined) };
  const response = await fetchImpl(url, {
    ...init,
    headers,
    redirect: 'manual',
    signal: AbortSignal.timeout(options.checkTimeoutMs ?? 10_000),
  });
  return { status: response.status, body: await response.text() };
}

async function timed(
  name: string,
  kind: CheckResult['kind'],
  options: VerifyOptions,
  url: string,
  send: () => Promise<Answer>,
  judge: Judge,
): Promise<CheckResult> {
  const started = performance.now();
  try {
    const answer = await send();
    const latencyMs = Math.round(performance.now() - started);
    const judged = judge(answer.status, answer.body);
    return {
      name,
      kind,
      status: answer.status,
      latencyMs,
      ...judged,
      detail: explainRefusal(judged, answer.status, url, options),
    };
  } catch (error) {
    const latencyMs = Math.round(performance.now() - started);
    // DOMException (the timeout) is not always an Error instance, so look at its name.
    const { name: errorName, message } = (error ?? {}) as { name?: unknown; message?: unknown };
    const reason =
      errorName === 'TimeoutError'
        ? `timed out after ${options.checkTimeoutMs ?? 10_000} ms`
        : `request failed: ${typeof message === 'string' ? message : String(error)}`;
    return { name, kind, pass: false, status: undefined, latencyMs, detail: reason };
  }
}

/** A failing 401/403 says which Deployment Protection setting is missing, not only the status. */
function explainRefusal(
  judged: { pass: boolean; detail: string },
  status: number,
  url: string,
  options: VerifyOptions,
): string {
  if (judged.pass || (status !== 401 && status !== 403) || !options.protection) return judged.detail;
  return `${judged.detail}. ${options.protection.explain(status, new URL(url).host)}`;
}

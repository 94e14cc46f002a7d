/**
 * The gates a release passes before any traffic moves: the pre-deployment
 * checklist (preflight) passes, or a CTO overrides it with a recorded reason;
 * it is the deploy window (default 11 PM - 5 AM ET), or a CTO overrides; and
 * the candidate's commit passed the smoke tests against staging (never
 * overridden: a release the bot cannot smoke-test first is not one it guards).
 */
import type { PreflightReport } from '../preflight/report';
import { ROLE_NAMES, type ResolvedRoles, holds } from '../incident/authority';
import type { GateOverride } from './release';
import type { SlackUserId } from '../ids';

type GateId = 'preflight' | 'deploy-window' | 'staging-smoke';

interface GateResult {
  readonly gate: GateId;
  readonly status: 'pass' | 'fail' | 'overridden';
  readonly detail: string;
  readonly fix?: string;
  /** The CTO who overrode it. */
  readonly overriddenBy?: SlackUserId;
}

export interface StagingSmoke {
  /** The commit staging reported running (its version endpoint), when it answered. */
  readonly stagingCommit: string | undefined;
  /** Failed smoke tests, each "name: why"; empty when all passed. */
  readonly failures: readonly string[];
  /** Why the smoke tests could not run at all (no staging URL, staging down). */
  readonly problem?: string | undefined;
}

interface GateInput {
  readonly preflight: PreflightReport;
  readonly candidateCommit: string | undefined;
  readonly smoke: StagingSmoke;
  readonly overrides: readonly GateOverride[];
  readonly roles: ResolvedRoles;
}

export interface GateVerdict {
  readonly passed: boolean;
  readonly gates: readonly GateResult[];
}

const short = (sha: string | undefined): string => (sha ? sha.slice(0, 7) : 'unknown');

/** An override counts only from a CTO with a reason; anything else is refused with why. */
function overrideProblem(override: GateOverride, roles: ResolvedRoles): string | undefined {
  if (!holds(roles, 'cto', override.by)) return `only the ${ROLE_NAMES.cto} may override the ${override.gate} gate`;
  if (override.reason.trim().length < 5)
    return `an override of the ${override.gate} gate needs a reason (a few words at least)`;
  return undefined;
}

function overridable(gate: 'preflight' | 'deploy-window', failing: GateResult, input: GateInput): GateResult {
  const override = input.overrides.find((o) => o.gate === gate && overrideProblem(o, input.roles) === undefined);
  if (!override) return failing;
  const reason = override.reason.trim();
  return {
    gate,
    status: 'overridden',
    detail: `${failing.detail} Overridden by the CTO: "${reason}".`,
    overriddenBy: override.by,
  };
}

function preflightGate(input: GateInput): GateResult {
  const failing = input.preflight.checks.filter((c) => c.status === 'fail' && c.id !== 'deploy-window');
  if (failing.length === 0)
    return { gate: 'preflight', status: 'pass', detail: 'The pre-deployment checklist passed.' };
  const result: GateResult = {
    gate: 'preflight',
    status: 'fail',
    detail: `The pre-deployment checklist failed: ${failing.map((c) => `${c.title} (${c.detail})`).join('; ')}.`,
    fix: 'Fix the failing checks, or ask the CTO: /rollout <service> <candidate> override preflight <reason>.',
  };
  return overridable('preflight', result, input);
}

function windowGate(input: GateInput): GateResult {
  const check = input.preflight.checks.find((c) => c.id === 'deploy-window');
  if (!check || check.status !== 'fail') {
    return { gate: 'deploy-window', status: 'pass', detail: check?.detail ?? 'The deploy window was not checked.' };
  }
  const result: GateResult = {
    gate: 'deploy-window',
    status: 'fail',
    detail: check.detail,
    fix: `${check.fix ?? 'Wait for the deploy window.'} Or the CTO overrides with a reason.`,
  };
  return overridable('deploy-window', result, input);
}

function smokeGate(input: GateInput): GateResult {
  const { smoke, candidateCommit } = input;
  const fix = 'Deploy the candidate to staging and make its smoke tests pass, then run /rollout again.';
  if (smoke.problem) return { gate: 'staging-smoke', status: 'fail', detail: smoke.problem, fix };
  if (!candidateCommit || !smoke.stagingCommit || !sameCommit(candidateCommit, smoke.stagingCommit)) {
    const runs = `Staging runs commit ${short(smoke.stagingCommit)}, not the candidate ${short(candidateCommit)}`;
    const detail = `${runs}: its smoke tests say nothing about the candidate.`;
    return { gate: 'staging-smoke', status: 'fail', detail, fix };
  }
  if (smoke.failures.length > 0) {
    return {
      gate: 'staging-smoke',
      status: 'fail',
      detail: `Smoke tests failed against staging: ${smoke.failures.join('; ')}.`,
      fix,
    };
  }
  return {
    gate: 'staging-smoke',
    status: 'pass',
    detail: `Commit ${short(candidateCommit)} passed the smoke tests against staging.`,
  };
}

function sameCommit(a: string, b: string): boolean {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return x.length >= 7 && y.length >= 7 && (x.startsWith(y) || y.startsWith(x));
}

export function judgeGates(input: GateInput): GateVerdict {
  const gates = [preflightGate(input), windowGate(input), smokeGate(input)];
  return { passed: gates.every((g) => g.status !== 'fail'), gates };
}

/** Overrides given on the command line that do not count, each with why (shown to the person who gave them). */
export function refusedOverrides(overrides: readonly GateOverride[], roles: ResolvedRoles): string[] {
  return overrides.flatMap((o) => {
    const problem = overrideProblem(o, roles);
    return problem ? [problem] : [];
  });
}

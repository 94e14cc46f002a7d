/**
 * The runbook's pre-deployment checklist, one function per item. Each returns
 * pass, fail or skip with the reason; a check that could not ask what it needs
 * (platform or git unreachable) fails, because CI must not ship on a guess.
 */
import type { ServiceConfig } from '../../config/service-schema';
import { asRollbackError } from '../errors';
import type { CommitSha, MigrationName } from '../ids';
import type { DeployIdentityCheck } from '../ports/application';
import type { ExportedMigrations } from '../ports/code';
import { describeWindow, isWithinWindow, localTime } from '../incident/time-window';
import { parseEnvNames } from './env-names';
import type { AlertsChannelPort, MigrationLintFinding, PreflightDeps } from './ports';
import { type CheckId, type PreflightCheck, failed, passed, skipped } from './report';

const ENV_EXAMPLE_PATH = '.env.example';

const short = (sha: string): string => sha.slice(0, 7);

function errorCheck(id: CheckId, what: string, error: unknown): PreflightCheck {
  const problem = asRollbackError(error, 'external');
  return failed(id, {
    detail: `Could not ${what}: ${problem.message}`,
    fix: problem.fix ?? 'Fix the cause above and run the checklist again.',
  });
}

function describeFinding(finding: MigrationLintFinding): string {
  return `${finding.severity} ${finding.where} [${finding.rule}] ${finding.message}`;
}

export async function checkMigrations(
  deps: PreflightDeps,
  service: ServiceConfig,
  live: CommitSha | undefined,
  candidate: CommitSha,
): Promise<PreflightCheck> {
  const id = 'migrations';
  if (live === undefined) {
    return skipped(id, {
      detail:
        'The live deployment does not say which commit it was built from, so the new migrations cannot be told apart.',
      fix: `Lint the candidate's migrations by hand: rollback-bot lint-migrations <migrations folder>.`,
    });
  }
  if (live === candidate)
    return passed(id, { detail: `The candidate ${short(candidate)} is the commit production already runs.` });
  let added: readonly MigrationName[];
  let removed: readonly MigrationName[];
  try {
    const diff = await deps.code.migrationsBetween(service.name, live, candidate);
    added = diff.onlyAtTo;
    removed = diff.onlyAtFrom;
  } catch (error) {
    return errorCheck(id, `list the migrations between ${short(live)} and ${short(candidate)}`, error);
  }
  const removedNote = removed.map((name) => `${name} is applied in production but absent from the candidate`);
  if (added.length === 0) {
    return passed(id, {
      detail: `No new migrations between live ${short(live)} and candidate ${short(candidate)}.`,
      notes: removedNote,
    });
  }
  let exported: ExportedMigrations;
  try {
    exported = await deps.code.exportMigrations(service.name, candidate);
  } catch (error) {
    return errorCheck(id, `read the migrations folder at ${short(candidate)}`, error);
  }
  try {
    const verdicts = await deps.linter.lintMigrations(exported.dir, added);
    const findings = verdicts.flatMap((v) => v.findings.filter((f) => f.severity !== 'safe'));
    const notes = [...findings.map(describeFinding), ...removedNote];
    const dangerous = verdicts.filter((v) => v.verdict === 'dangerous').map((v) => v.migration);
    if (dangerous.length > 0) {
      return failed(id, {
        detail:
          `${dangerous.length} of ${added.length} new migration(s) would break the code ` +
          `still running during the deployment (or a rollback to it): ` +
          `${dangerous.join(', ')}.`,
        fix:
          'Split each dangerous change into backward-compatible phases (expand now, ' +
          'contract in a later deployment) as each finding describes.',
        notes,
      });
    }
    const warnings = verdicts.filter((v) => v.verdict === 'warning').length;
    const tail = warnings > 0 ? `; ${warnings} with warnings worth reading` : '';
    return passed(id, {
      detail: `${added.length} new migration(s) checked, none dangerous${tail}: ${added.join(', ')}.`,
      notes,
    });
  } catch (error) {
    return errorCheck(id, 'lint the new migrations', error);
  } finally {
    await exported.cleanup();
  }
}

export async function checkEnvironment(
  deps: PreflightDeps,
  service: ServiceConfig,
  candidate: CommitSha,
  productionNames: readonly string[] | undefined,
): Promise<PreflightCheck> {
  const id = 'environment';
  if (productionNames === undefined) {
    return skipped(id, {
      detail: 'No list of the variable names set in production was given.',
      fix:
        'Pass --production-env <file> (one NAME or NAME=value per line; values are ' +
        'ignored) or set ROLLBACK_PREFLIGHT_ENV_NAMES.',
    });
  }
  let example: string | undefined;
  try {
    example = await deps.repoFiles.readFileAt(service, candidate, ENV_EXAMPLE_PATH);
  } catch (error) {
    return errorCheck(id, `read ${ENV_EXAMPLE_PATH} at ${short(candidate)}`, error);
  }
  if (example === undefined) {
    return skipped(id, {
      detail: `The candidate ${short(candidate)} has no ${ENV_EXAMPLE_PATH} to compare with.`,
      fix: `Commit a ${ENV_EXAMPLE_PATH} that names every variable the app reads.`,
    });
  }
  const expected = parseEnvNames(example);
  const set = new Set(productionNames);
  const missing = expected.filter((name) => !set.has(name));
  if (missing.length > 0) {
    return failed(id, {
      detail:
        `${missing.length} of ${expected.length} variable(s) in ${ENV_EXAMPLE_PATH} are ` +
        `not set in production: ${missing.join(', ')}.`,
      fix: 'Set them in the production environment (Vercel project settings) before deploying.',
      notes: missing,
    });
  }
  return passed(id, { detail: `All ${expected.length} variable(s) in ${ENV_EXAMPLE_PATH} are set in production.` });
}

function clockTime(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export function checkDeployWindow(service: ServiceConfig, at: Date): PreflightCheck {
  const id = 'deploy-window';
  const window = service.deployWindow;
  const now = localTime(at, window.timeZone);
  const where = `${now.weekday} ${clockTime(now.minutes)} ${window.timeZone}`;
  if (isWithinWindow(window, at)) {
    return passed(id, { detail: `It is ${where}, inside the deploy window ${describeWindow(window)}.` });
  }
  return failed(id, {
    detail: `It is ${where}, outside the low-traffic deploy window ${describeWindow(window)}.`,
    fix:
      `Deploy between ${window.start} and ${window.end} ${window.timeZone}, or change ` +
      `deployWindow of ${service.name} in the services file.`,
  });
}

export function checkOnCall(service: ServiceConfig): PreflightCheck {
  const id = 'on-call';
  const onCall = service.roles.onCall;
  if (onCall.length === 0) {
    return failed(id, {
      detail: `No on-call engineer is named for ${service.name}.`,
      fix:
        'Add the Slack user id (U…) or user group (S…) of whoever watches this deployment ' +
        'to roles.onCall in the services file.',
    });
  }
  return passed(id, { detail: `On call: ${onCall.map((who) => `<@${who}>`).join(', ')}.` });
}

export async function checkDeployIdentity(deps: PreflightDeps, service: ServiceConfig): Promise<PreflightCheck> {
  const id = 'deploy-identity';
  try {
    const found = await deps.application.checkDeployIdentity?.(service);
    if (!found) return skipped(id, { detail: 'The platform has no such check.', fix: 'Nothing to do.' });
    return fromAdapter(id, found);
  } catch (error) {
    return errorCheck(id, "check the bot's committer on Vercel", error);
  }
}

/** Without it Slack refuses the incident's thread (not_in_channel) and people hear by DM only. */
export async function checkAlertsChannel(port: AlertsChannelPort, service: ServiceConfig): Promise<PreflightCheck> {
  const id = 'alerts-channel';
  try {
    return fromAdapter(id, await port.checkMembership(service));
  } catch (error) {
    return errorCheck(id, `check the bot's membership of ${service.slack.alertsChannel}`, error);
  }
}

/** An adapter's own verdict (pass, fail or skip with detail and fix) as a checklist line. */
function fromAdapter(id: CheckId, found: DeployIdentityCheck): PreflightCheck {
  const outcome = found.fix === undefined ? { detail: found.detail } : { detail: found.detail, fix: found.fix };
  return found.status === 'pass'
    ? passed(id, outcome)
    : found.status === 'fail'
      ? failed(id, outcome)
      : skipped(id, outcome);
}

export async function checkRollbackTarget(deps: PreflightDeps, service: ServiceConfig): Promise<PreflightCheck> {
  const id = 'rollback-target';
  try {
    const resolved = await deps.application.resolveTarget(service);
    const target = resolved.target;
    const facts = [
      target.version && `version ${target.version}`,
      target.commitSha && `commit ${short(target.commitSha)}`,
      `created ${target.createdAt.toISOString()}`,
    ].filter(Boolean);
    return passed(id, { detail: `Production can be rolled back to ${target.id} (${facts.join(', ')}).` });
  } catch (error) {
    return errorCheck(id, 'find a deployment to roll back to', error);
  }
}

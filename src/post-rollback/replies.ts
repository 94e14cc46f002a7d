/**
 * The answers of `/rollback stats [service]` and `/rollback preflight <service>`,
 * read through the engine's ports and rendered with the block builders.
 */
import { join } from 'node:path';
import { unavailableCapabilities } from '../config/credentials';
import { parseEnv } from '../config/load-config';
import { findService } from '../rollback/services';
import { GitRepoFiles, sqlLinter } from '../preflight-adapters';
import { GitHubCiStatus } from '../github/ci-status';
import { GitHubAccess } from '../github/github-access';
import type { EngineDeps } from '../rollback/incident/engine-deps';
import { measureRollbacks } from '../rollback/metrics/measure';
import { measureIncidentActions } from '../rollback/metrics/incident-actions';
import { measureReleases, releaseMetricsLine } from '../rollback/metrics/release-metrics';
import type { ReleaseStore } from '../store/release-store';
import { parseNameList } from '../rollback/preflight/env-names';
import { runPreflight } from '../rollback/preflight/run-preflight';
import type { PreflightReport } from '../rollback/preflight/report';
import type { ServiceConfig } from '../config/service-schema';
import { preflightReply } from '../slack/blocks/preflight-reply';
import { statsReply } from '../slack/blocks/stats-reply';
import { serviceRef } from '../slack/incident-views';
import type { Reply } from '../slack/listeners/commands/rollback';

/** How long `/rollback stats` waits for the app databases' manifests before answering from what the store knows. */
const REFRESH_WAIT_MS = 1_500;

/**
 * A restore-archive made while the bot's store was unreachable counts when asked: the manifest is read first, briefly.
 */
async function refreshFacts(deps: EngineDeps): Promise<void> {
  const refresh = deps
    .refreshMetricsFacts?.()
    .catch((error: unknown) =>
      deps.logger.warn({ err: error }, 'could not read the archive manifests before /rollback stats'),
    );
  if (!refresh) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([refresh, new Promise<void>((resolve) => (timer = setTimeout(resolve, REFRESH_WAIT_MS)))]);
  clearTimeout(timer);
}

export async function statsReplyFor(deps: EngineDeps, serviceName?: string, releases?: ReleaseStore): Promise<Reply> {
  const service = serviceName === undefined ? undefined : findService(deps.services, serviceName);
  await refreshFacts(deps);
  const at = deps.clock.now();
  const [metrics, actions] = await Promise.all([
    measureRollbacks(deps.store, { service: service?.name, at }),
    measureIncidentActions(deps.store, { service: service?.name, at }),
  ]);
  const timeZone = (service ?? deps.services[0])?.workingHours.timeZone ?? 'UTC';
  const released = releases
    ? await measureReleases(releases, { service: service?.name, from: metrics.from, to: metrics.to })
    : undefined;
  const line = released ? releaseMetricsLine(released) : undefined;
  const ref = service ? serviceRef(service) : undefined;
  return statsReply({ timeZone, service: ref, metrics, actions, ...(line ? { releases: line } : {}) });
}

/**
 * Runs the checklist as the CLI does, with the engine's application and code
 * adapters. The names set in production come from ROLLBACK_PREFLIGHT_ENV_NAMES
 * (the CLI also takes a file); without it that check is skipped, with the reason.
 */
type PreflightRunner = (engine: EngineDeps, service: ServiceConfig, candidate?: string) => Promise<PreflightReport>;

export function createPreflightRunner(): PreflightRunner {
  let repoFiles: GitRepoFiles | undefined;
  let ci: GitHubCiStatus | undefined;
  return (engine, service, candidate) => {
    ci ??= new GitHubCiStatus(
      new GitHubAccess({
        env: engine.env,
        apiUrl: engine.env.GITHUB_API_URL,
        logger: engine.logger.child({ adapter: 'github' }),
      }),
    );
    repoFiles ??= new GitRepoFiles({
      workspaceDir: join(parseEnv(engine.env).ROLLBACK_DATA_DIR, 'preflight-git'),
      env: engine.env,
      logger: engine.logger.child({ adapter: 'git', purpose: 'preflight' }),
    });
    const listed = engine.env.ROLLBACK_PREFLIGHT_ENV_NAMES;
    return runPreflight(
      { application: engine.application, code: engine.code, repoFiles, linter: sqlLinter, clock: engine.clock, ci },
      {
        service,
        ...(candidate ? { candidate } : {}),
        unavailable: unavailableCapabilities(service, engine.env),
        ...(listed && listed.trim() !== '' ? { productionEnvNames: parseNameList(listed) } : {}),
      },
    );
  };
}

export function createPreflightReplies(deps: () => EngineDeps): (serviceName: string) => Promise<Reply> {
  const run = createPreflightRunner();
  return async (serviceName) => {
    const engine = deps();
    const service = findService(engine.services, serviceName);
    const report = await run(engine, service);
    return preflightReply({ timeZone: service.workingHours.timeZone, report });
  };
}

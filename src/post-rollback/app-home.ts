/**
 * App Home through views.publish: published for a user when they open it, and
 * republished for the people who opened it lately after an incident changes.
 * Refreshes are debounced and spaced (Slack allows views.publish about 100
 * times a minute), and a user whose home would not change is skipped.
 */
import { createHash } from 'node:crypto';
import type { types } from '@slack/bolt';
import { unavailableCapabilities } from '../config/credentials';
import type { ServiceConfig } from '../config/service-schema';
import type { Logger } from '../logger';
import type { SlackUserId } from '../rollback/ids';
import type { EngineDeps } from '../rollback/incident/engine-deps';
import { holdsAnyRole } from '../rollback/incident/decision-matrix';
import type { DeploymentRecord } from '../rollback/ports/incident-store';
import { METRICS_PERIOD_DAYS, measureRollbacks } from '../rollback/metrics/measure';
import { measureIncidentActions } from '../rollback/metrics/incident-actions';
import { type ReleaseFactsSource, measureReleases, releaseMetricsLine } from '../rollback/metrics/release-metrics';
import { type AppHomeView, type HomeService, appHome } from '../slack/blocks/app-home';
import type { ServiceRef } from '../slack/blocks/view-models';
import { serviceRef } from '../slack/incident-views';
import type { Db } from '../store/pool';
import { type ViewerRow, markPublished, rememberViewer, selectRecentViewers } from '../store/queries/home';

export interface HomeClient {
  views: { publish(args: { user_id: string; view: types.HomeView }): Promise<unknown> };
}

/**
 * Without a role directory (the engine not started yet) nobody is known to hold a role: incidents stay hidden.
 * `env` lists each service's unavailable capabilities (an unset credential) on Home.
 */
type Source = Pick<EngineDeps, 'store' | 'services' | 'clock'> &
  Partial<Pick<EngineDeps, 'roles' | 'env' | 'application'>> & {
    /** The release store: Home shows the progressive rollouts' line as /rollback stats does. */
    readonly releases?: ReleaseFactsSource;
  };

interface HomePublisherOptions {
  db: Db;
  /** The engine's store, services and clock (read lazily: listeners exist before the engine starts). */
  source: () => Source;
  client: () => HomeClient | undefined;
  logger: Logger;
  /** Changes within this long after the first become one refresh; default 2 s. */
  debounceMs?: number;
  /** Least time between two refresh rounds; default 15 s (25 viewers × 4 rounds a minute stays under Slack's 100). */
  minGapMs?: number;
  /** Viewers who opened Home this recently get refreshes; default 7 days. */
  viewerWindowMs?: number;
  maxViewers?: number;
  /** Problems shown at the top of Home (e.g. an alerts channel the bot is not in); read when Home is rendered. */
  warnings?: () => readonly string[];
}

interface HomePublisher {
  /** app_home_opened: remember the viewer and publish their home now. */
  opened(userId: string): Promise<void>;
  /** An incident changed: republish soon for the recent viewers. */
  refresh(): void;
  stop(): Promise<void>;
}

const DAY = 86_400_000;

function latest(
  deployments: readonly DeploymentRecord[],
  at: (d: DeploymentRecord) => Date | undefined,
): DeploymentRecord | undefined {
  let best: DeploymentRecord | undefined;
  for (const d of deployments) {
    const when = at(d);
    if (when && (!best || when > (at(best) as Date))) best = d;
  }
  return best;
}

/**
 * The deployment serving now, as the table knows it: the one last seen
 * serving, when it started or when a rollback's verification (or the probes)
 * marked it good, and not closed since. A rollback puts an older deployment
 * back, so "newest" alone would name the one rolled back from.
 */
function liveDeployment(deployments: readonly DeploymentRecord[]): DeploymentRecord | undefined {
  const seenServing = (d: DeploymentRecord): Date | undefined => {
    const last = [d.servedFrom, d.lastKnownGoodAt]
      .filter((x): x is Date => x !== undefined)
      .sort((a, b) => b.getTime() - a.getTime())[0];
    return last && (!d.servedUntil || d.servedUntil < last) ? last : undefined;
  };
  return latest(deployments, seenServing);
}

export async function readHome(source: Source, warnings: readonly string[] = []): Promise<AppHomeView> {
  const { store, services, clock } = source;
  const now = clock.now();
  const [open, metrics, actions, followUps] = await Promise.all([
    store.listIncidents({ openOnly: true, limit: 20 }),
    measureRollbacks(store, { at: now }),
    measureIncidentActions(store, { at: now }),
    store.openFollowUps(30),
  ]);
  const released = source.releases
    ? await measureReleases(source.releases, { from: metrics.from, to: metrics.to })
    : undefined;
  const serviceViews = await Promise.all(
    services.map(async (service): Promise<HomeService> => {
      const deployments = await store.deployments(service.name, 20);
      const live = liveDeployment(deployments);
      const good = latest(deployments, (d) => d.lastKnownGoodAt);
      const ref = (d: DeploymentRecord) => ({
        version: d.version,
        commit: d.commitSha?.slice(0, 7),
        deploymentId: d.deploymentId,
      });
      return {
        service: serviceRef(service),
        ...(await pinnedOf(source, service)),
        live: live ? { ...ref(live), since: live.servedFrom } : undefined,
        lastKnownGood: good ? { ...ref(good), at: good.lastKnownGoodAt as Date } : undefined,
        ...(source.env ? { unavailable: unavailableCapabilities(service, source.env) } : {}),
      };
    }),
  );
  const byName = new Map<string, ServiceRef>(services.map((s) => [s.name, serviceRef(s)]));
  return {
    timeZone: services[0]?.workingHours.timeZone ?? 'UTC',
    openIncidents: open.map((i) => ({
      id: i.id,
      service: byName.get(i.service) ?? { name: i.service },
      state: i.state,
      severity: i.severity,
      issue: i.issue,
      openedAt: i.openedAt,
    })),
    services: serviceViews,
    metrics,
    actions,
    ...(released ? { releases: releaseMetricsLine(released) } : {}),
    metricsDays: METRICS_PERIOD_DAYS,
    followUps: followUps.map((f) => ({
      incidentId: f.incidentId,
      service: byName.get(f.service) ?? { name: f.service },
      item: f.item,
    })),
    asOf: now,
    warnings,
  };
}

/**
 * Whether an instant rollback pinned production, read from Vercel at background priority; unknown (left out) when
 * Vercel does not answer.
 */
async function pinnedOf(source: Source, service: ServiceConfig): Promise<Pick<HomeService, 'pinned'>> {
  try {
    const production = await source.application?.describeProduction(service, { background: true });
    if (!production?.pinnedByRollback) return {};
    const next = production.unpinWith;
    return {
      pinned: next
        ? { unpinWith: { version: next.version, commit: next.commitSha?.slice(0, 7), deploymentId: next.id } }
        : {},
    };
  } catch {
    return {};
  }
}

/**
 * The services whose incidents this user may see on their Home, since incident
 * text may hold sensitive detail: those where they hold any role, and those
 * set to show everyone (slack.homeShowsEveryone, for small teams).
 */
async function visibleServices(source: Source, userId: string): Promise<ReadonlySet<string>> {
  const visible = new Set<string>();
  for (const service of source.services) {
    if (
      service.slack.homeShowsEveryone ||
      (source.roles && holdsAnyRole(await source.roles.resolve(service), userId as SlackUserId))
    )
      visible.add(service.name);
  }
  return visible;
}

/** The Home as one viewer may see it: open incidents and their post-rollback actions of the visible services only. */
function homeFor(view: AppHomeView, visible: ReadonlySet<string>): AppHomeView {
  return {
    ...view,
    openIncidents: view.openIncidents.filter((i) => visible.has(i.service.name)),
    followUps: view.followUps.filter((f) => visible.has(f.service.name)),
  };
}

/** The view and the hash of its content without the "Updated" time. */
function render(view: AppHomeView): { view: types.HomeView; hash: string } {
  const hash = createHash('sha256')
    .update(JSON.stringify(appHome({ ...view, asOf: undefined })))
    .digest('hex');
  return { view: appHome(view), hash };
}

export function createHomePublisher(options: HomePublisherOptions): HomePublisher {
  const { db, logger } = options;
  const debounceMs = options.debounceMs ?? 2_000;
  const minGapMs = options.minGapMs ?? 15_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let lastRound = 0;
  let stopped = false;

  const viewFor = async (source: Source, home: AppHomeView, userId: string): Promise<AppHomeView> =>
    homeFor(home, await visibleServices(source, userId));

  const publish = async (
    client: HomeClient,
    userId: string,
    rendered: { view: types.HomeView; hash: string },
  ): Promise<void> => {
    await client.views.publish({ user_id: userId, view: rendered.view });
    await db.query(markPublished(userId, rendered.hash, options.source().clock.now()));
  };

  const round = async (): Promise<void> => {
    const client = options.client();
    if (!client) return;
    const source = options.source();
    const since = new Date(source.clock.now().getTime() - (options.viewerWindowMs ?? 7 * DAY));
    const viewers = await db.query<ViewerRow>(selectRecentViewers(since, options.maxViewers ?? 25));
    if (viewers.length === 0) return;
    const home = await readHome(source, options.warnings?.() ?? []);
    for (const viewer of viewers) {
      if (stopped) return;
      const rendered = render(await viewFor(source, home, viewer.user_id));
      if (viewer.published_hash === rendered.hash) continue;
      try {
        await publish(client, viewer.user_id, rendered);
      } catch (error) {
        // The next change or the user's next visit publishes again.
        logger.warn({ err: error, user: viewer.user_id }, 'App Home refresh failed for one user');
      }
    }
  };

  const start = (): void => {
    timer = undefined;
    if (stopped) return;
    lastRound = Date.now();
    running = round()
      .catch((error: unknown) => logger.warn({ err: error }, 'App Home refresh failed'))
      .finally(() => {
        running = undefined;
      });
  };

  return {
    async opened(userId) {
      const source = options.source();
      await db.query(rememberViewer(userId, source.clock.now()));
      const client = options.client();
      if (client)
        await publish(
          client,
          userId,
          render(await viewFor(source, await readHome(source, options.warnings?.() ?? []), userId)),
        );
    },
    refresh() {
      if (stopped || timer) return;
      const wait = Math.max(debounceMs, lastRound + minGapMs - Date.now());
      timer = setTimeout(() => {
        // A round still running takes this change too if it has not read yet; otherwise run again after it.
        void (running ?? Promise.resolve()).then(start);
      }, wait);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

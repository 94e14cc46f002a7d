/**
 * Traffic off an aborted release's canary when no rollback of the abort's own
 * carries it: the service's open incident was already rolling back, or none
 * could be opened (abort-release.ts). The domain says who moves it
 * (rollback/release/abort-route.ts): an application rollback of the incident
 * under way (never a second alias move racing it), else the bot, which aborts
 * on Vercel itself, follows the alias move to its end and says on the
 * timeline and in the release thread whether traffic is back on the base. The
 * guard asks again each round while Vercel still shows the release active (a
 * move that failed, a restart in between).
 */
import { asRollbackError } from '../rollback/errors';
import { AUTOPILOT_ACTOR } from '../rollback/incident/authority';
import { isIncidentOpen } from '../rollback/incident/incident-state';
import type { IncidentRecord } from '../rollback/ports/incident-store';
import { type AbortRoute, abortRoute } from '../rollback/release/abort-route';
import { findService } from '../rollback/services';
import type { ReleaseAbortNoticeView } from '../slack/blocks/release-abort-notice';
import type { StoredRelease } from '../store/release-store';
import { type RolloutDeps, refOf } from './deps';

export interface AbortTraffic {
  readonly traffic: ReleaseAbortNoticeView['traffic'];
  /** Where traffic goes, for the release thread and the timeline; absent when the abort's own incident carries it. */
  readonly words?: string;
}

async function routeOf(deps: RolloutDeps, release: StoredRelease, incidentId: string): Promise<AbortRoute> {
  const steps = (await deps.engine.store.steps(incidentId)).map((s) => ({
    kind: s.kind,
    state: s.state,
    target: typeof s.input.target === 'string' ? s.input.target : null,
  }));
  return abortRoute(steps, release.base.id);
}

async function record(
  deps: RolloutDeps,
  release: StoredRelease,
  incidentId: string | undefined,
  outcome: Required<AbortTraffic>,
): Promise<Required<AbortTraffic>> {
  await deps.engine.store.appendTimeline({
    ...(incidentId ? { incidentId } : {}),
    service: release.service,
    actor: AUTOPILOT_ACTOR,
    kind: 'release_abort_traffic',
    message: `Release ${release.id} aborted: ${outcome.words}`,
    data: { release: release.id, traffic: outcome.traffic },
  });
  return outcome;
}

/**
 * The bot aborts on Vercel itself (an instant rollback to the base, the rollbacks' own alias-move code) unless
 * Vercel shows this release aborted already; the answer says whether every production domain is back on the base.
 */
export async function abortOnVercel(
  deps: RolloutDeps,
  release: StoredRelease,
  incidentId?: string,
): Promise<Required<AbortTraffic>> {
  const service = findService(deps.engine.services, release.service);
  const ref = refOf(service);
  const base = release.base.id;
  const retry = 'The release guard asks Vercel again each round while the release is active there.';
  let outcome: Required<AbortTraffic>;
  try {
    const onVercel = await deps.vercel.read(ref);
    if (onVercel?.canary.id === release.canary.id && onVercel.state === 'ABORTED') {
      const words = 'Vercel shows the rolling release aborted already: the bot asked nothing more.';
      return record(deps, release, incidentId, { traffic: 'aborted_on_vercel', words });
    }
    const why = `Release ${release.id} aborted by rollback-bot`;
    const moved = await deps.vercel.abort(ref, base, why, service.vercel.aliasDeadlineSeconds * 1000);
    outcome =
      moved.status === 'succeeded' || moved.status === 'already-live'
        ? {
            traffic: 'aborted_on_vercel',
            words: `the bot aborted it on Vercel itself; all traffic is back on the base ${base}. ${moved.explanation}`,
          }
        : {
            traffic: 'abort_failed',
            words:
              `the bot's abort on Vercel did not bring all traffic back on the base ${base}: ` +
              `${moved.explanation} ${retry}`,
          };
  } catch (error) {
    const failure = asRollbackError(error);
    outcome = { traffic: 'abort_failed', words: `the bot's abort on Vercel failed: ${failure.explain()} ${retry}` };
  }
  return record(deps, release, incidentId, outcome);
}

/** The open incident is already rolling back: it carries the abort when its application rollback is under way. */
export async function trafficBesideIncident(
  deps: RolloutDeps,
  release: StoredRelease,
  incident: IncidentRecord,
): Promise<Required<AbortTraffic>> {
  const route = await routeOf(deps, release, incident.id);
  if (route.by === 'bot') return abortOnVercel(deps, release, incident.id);
  const base = release.base.id;
  return record(
    deps,
    release,
    incident.id,
    route.toBase
      ? {
          traffic: 'rolling_back',
          words: `${incident.id}'s application rollback, already under way to the base ${base}, carries it.`,
        }
      : {
          traffic: 'rolling_back_elsewhere',
          words:
            `${incident.id} is already rolling back to ${route.target}: that instant rollback takes all traffic off ` +
            `the canary and ends the release, but not back to the base ${base}. The bot makes no second alias move ` +
            'against it.',
        },
  );
}

/**
 * A guard round for a release still aborting while Vercel shows it active: an incident's application rollback
 * under way is waited for; otherwise the bot aborts on Vercel (again). Undefined when it only waits.
 */
export async function keepTrafficOffCanary(
  deps: RolloutDeps,
  release: StoredRelease,
): Promise<Required<AbortTraffic> | undefined> {
  const incident = release.incidentId ? await deps.engine.store.getIncident(release.incidentId) : undefined;
  if (incident && isIncidentOpen(incident.state) && (await routeOf(deps, release, incident.id)).by === 'incident')
    return undefined;
  return abortOnVercel(deps, release, incident?.id);
}

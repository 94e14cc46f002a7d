/**
 * Aborting a release is a rollback like any other: an incident opens with an
 * application rollback to the base deployment (an instant rollback, which is
 * how Vercel aborts a rolling release), so the thread says ROLLBACK IN
 * PROGRESS / COMPLETE and the metrics count it; after a MUST the CTO is told
 * that the bot aborted it (abort-notice.ts), whoever owns the release.
 * An incident already open for the service that still asks its hotfix
 * question carries the abort (its rollback goes to the base at once). One
 * already rolling back carries it while its application rollback is under
 * way; otherwise, as when no incident can be opened (the release's owner no
 * longer has the authority), the bot aborts on Vercel itself and waits for the
 * result (abort-traffic.ts): traffic must leave the canary whatever the
 * paperwork says.
 */
import type { SlackUserId } from '../rollback/ids';
import { isRollbackError } from '../rollback/errors';
import { rollBackNow } from '../rollback/incident/hotfix';
import { requestRollback } from '../rollback/incident/request-rollback';
import { findService } from '../rollback/services';
import { progressOf } from '../rollback/release/release';
import { transition } from '../rollback/release/release-state';
import type { StoredRelease } from '../store/release-store';
import { tellCtoOfAbort } from './abort-notice';
import { type AbortTraffic, abortOnVercel, trafficBesideIncident } from './abort-traffic';
import { announceRelease } from './announce-release';
import type { RolloutDeps } from './deps';

interface AbortInput {
  readonly reason: string;
  /** A MUST trigger aborted it: the CTO is notified. */
  readonly must: boolean;
  /** Who aborted; default the release's owner (the bot acts for them on a trigger). */
  readonly actor?: SlackUserId;
}

export async function abortRelease(
  deps: RolloutDeps,
  release: StoredRelease,
  input: AbortInput,
): Promise<StoredRelease | undefined> {
  const service = findService(deps.engine.services, release.service);
  const now = deps.engine.clock.now();
  const actor = input.actor ?? release.requestedBy;
  const percent = progressOf(release, now).percent;
  const aborting = await deps.releases.save({
    ...release,
    state: transition(release.state, 'abort'),
    abortedAtPercent: percent,
    note: input.reason,
  });
  if (!aborting) return undefined;
  const issue = `Release of ${release.canary.id} aborted at ${percent}% of traffic: ${input.reason}`;
  let incidentId: string | undefined;
  let moved: AbortTraffic;
  try {
    const accepted = await requestRollback(deps.engine, {
      service: service.name,
      actor,
      request: { kind: 'application', target: release.base.id, reason: issue.slice(0, 500) },
      issue: issue.slice(0, 500),
      trigger: input.must
        ? `MUST trigger on the canary of release ${release.id}`
        : `Release ${release.id} aborted by <@${actor}>`,
      // The bot acted on a MUST, not the owner: the CTO gets the release's own notice below, at any hour.
      ...(input.must ? { severity: 'must' as const, ctoToldByCaller: true } : {}),
      detectedAt: now,
    });
    incidentId = accepted.incident.id;
    // An incident still asking its hotfix question (the production monitor saw the canary's share first) carries
    // the abort: its rollback goes to the base now. One already rolling back is judged by abort-traffic.ts.
    const carried =
      accepted.created ||
      (await rollBackNow(deps.engine, accepted.incident, {
        actor,
        target: release.base.id,
        why: `Release ${release.id} aborted: ${input.reason}`.slice(0, 500),
        ...(input.must ? { severity: 'must' as const } : {}),
      }));
    moved = carried ? { traffic: 'rolling_back' } : await trafficBesideIncident(deps, release, accepted.incident);
  } catch (error) {
    if (!isRollbackError(error) || (error.code !== 'forbidden' && error.code !== 'conflict')) throw error;
    deps.engine.logger.warn({ err: error, release: release.id }, 'abort without an incident: the bot aborts on Vercel');
    moved = await abortOnVercel(deps, release);
  }
  const traffic = moved.traffic;
  if (input.must) await tellCtoOfAbort(deps, release, { percent, trigger: input.reason, at: now, traffic, incidentId });
  const note = moved.words ? `${input.reason}\n${moved.words}` : input.reason;
  const saved = await deps.releases.save({ ...aborting, note, ...(incidentId ? { incidentId } : {}) });
  const latest = saved ?? aborting;
  await announceRelease(deps, latest);
  return latest;
}

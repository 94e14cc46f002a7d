/**
 * One round of a release's guard (the rollout job runs it for every live
 * release): probe the canary and the base on their own URLs, judge the canary
 * with the trigger rules, and do what the decision says. Vercel is asked
 * before the record changes, so a failed call leaves the release where it was
 * for the next round; a release another replica moved first is left alone.
 */
import { findService } from '../rollback/services';
import { RollbackError } from '../rollback/errors';
import { type GuardDecision, type GuardState, decide, judgeCanary } from '../rollback/release/guard';
import { progressOf } from '../rollback/release/release';
import { isGuarded, transition } from '../rollback/release/release-state';
import type { StoredRelease } from '../store/release-store';
import { announceRelease } from './announce-release';
import { abortRelease } from './abort-release';
import { keepTrafficOffCanary } from './abort-traffic';
import { type RolloutDeps, refOf } from './deps';
import { probeDeployment } from './probe-deployment';

interface RoundOutcome {
  readonly release: string;
  readonly action: GuardDecision['action'] | 'reconciled' | 'skipped';
  readonly reason: string;
}

/** Writes the change and posts the thread; undefined when another replica changed the release first. */
export async function saveAndAnnounce(deps: RolloutDeps, next: StoredRelease): Promise<StoredRelease | undefined> {
  const saved = await deps.releases.save(next);
  if (saved) await announceRelease(deps, saved);
  return saved;
}

/** Where an aborted release left production: on its base, or (an incident's rollback named another) elsewhere. */
async function trafficAfterAbort(deps: RolloutDeps, release: StoredRelease): Promise<string> {
  const service = findService(deps.engine.services, release.service);
  const production = await deps.vercel.production(refOf(service));
  if (production.id === release.base.id) return `All traffic is back on the base deployment, ${release.base.id}.`;
  if (production.id === release.canary.id) {
    return (
      `Vercel shows the release aborted, but production still serves the canary ${production.id}: roll back ` +
      `with /rollback ${release.service} ${release.base.id}.`
    );
  }
  return `Production serves ${production.id}, not the base ${release.base.id}: an incident's rollback named it.`;
}

/** A release ended outside the bot (an instant rollback, a promote, Vercel's dashboard) is recorded as it ended. */
async function reconcile(deps: RolloutDeps, release: StoredRelease): Promise<RoundOutcome | undefined> {
  const service = findService(deps.engine.services, release.service);
  const now = deps.engine.clock.now();
  const vercel = await deps.vercel.read(refOf(service));
  const ours = vercel?.canary.id === release.canary.id ? vercel : undefined;
  if (release.state === 'aborting') {
    if (ours?.state === 'ACTIVE') {
      // Nothing may have taken the canary's traffic yet (an abort that failed, a restart): ask again unless an
      // incident's application rollback is under way.
      const moved = await keepTrafficOffCanary(deps, release);
      if (moved) await saveAndAnnounce(deps, { ...release, note: moved.words });
      return { release: release.id, action: 'watch', reason: moved?.words ?? 'Waiting for the abort to finish.' };
    }
    if (ours?.state !== 'ABORTED')
      return { release: release.id, action: 'watch', reason: 'Waiting for the abort to finish.' };
    const where = await trafficAfterAbort(deps, release);
    const done = { ...release, state: transition(release.state, 'aborted'), endedAt: now, note: where };
    await saveAndAnnounce(deps, done);
    return { release: release.id, action: 'reconciled', reason: where };
  }
  // No release read back (Vercel may forget a finished one) is not proof of an abort: the guard goes on.
  if (ours?.state === 'ABORTED') {
    const percent = progressOf(release, now).percent;
    const note = 'The release was aborted outside the bot (an instant rollback or the Vercel dashboard).';
    const aborting = { ...release, state: transition(release.state, 'abort'), abortedAtPercent: percent, note };
    const done = { ...aborting, version: release.version, state: transition(aborting.state, 'aborted'), endedAt: now };
    await saveAndAnnounce(deps, done);
    return { release: release.id, action: 'reconciled', reason: note };
  }
  return undefined;
}

async function act(
  deps: RolloutDeps,
  release: StoredRelease,
  decision: GuardDecision,
  state: GuardState,
): Promise<void> {
  const service = findService(deps.engine.services, release.service);
  const now = deps.engine.clock.now();
  const base = { ...release, triggerState: state };
  switch (decision.action) {
    case 'abort':
      await abortRelease(deps, base, { reason: decision.reason, must: true });
      return;
    case 'pause':
      await saveAndAnnounce(deps, { ...base, state: transition(release.state, 'pause'), note: decision.reason });
      return;
    case 'ask_approval':
      await saveAndAnnounce(deps, { ...base, state: transition(release.state, 'ask_approval'), note: decision.reason });
      return;
    case 'advance':
      await deps.vercel.approveStage(refOf(service), release.canary.id, decision.toIndex);
      await saveAndAnnounce(deps, {
        ...base,
        state: transition(release.state, 'advance'),
        stageIndex: decision.toIndex,
        stageStartedAt: now,
        note: decision.reason,
      });
      return;
    case 'complete':
      await saveAndAnnounce(deps, {
        ...base,
        state: transition(release.state, 'complete'),
        endedAt: now,
        note: decision.reason,
      });
      return;
    case 'watch':
      // The progress message shows elapsed and remaining time: it is updated every round.
      await saveAndAnnounce(deps, base);
      return;
  }
}

async function guardRound(deps: RolloutDeps, release: StoredRelease, slot: Date): Promise<RoundOutcome> {
  const reconciled = await reconcile(deps, release);
  if (reconciled) return reconciled;
  if (!isGuarded(release.state))
    return { release: release.id, action: 'skipped', reason: `The release is ${release.state}.` };
  const service = findService(deps.engine.services, release.service);
  const now = deps.engine.clock.now();
  const [canary, base, alerts] = await Promise.all([
    probeDeployment(service, release.canary.url, deps.probe),
    probeDeployment(service, release.base.url, deps.probe),
    deps.alerts(service.name, now),
  ]);
  const round = {
    at: now,
    canary: canary.observations,
    canaryLatencies: canary.latencies,
    baseLatencies: base.latencies,
    alerts,
  };
  const judged = judgeCanary(release.triggerState, round, service.triggers);
  const decision = decide(release, judged.evaluation, now);
  await act(deps, release, decision, { ...judged.state, judgedAt: slot.getTime() });
  return { release: release.id, action: decision.action, reason: decision.reason };
}

/**
 * Every live release, one after another (those whose round is due at the job's slot);
 * one failing release does not stop the others' guard.
 */
export async function guardAll(
  deps: RolloutDeps,
  slot: Date,
  due: (release: StoredRelease) => boolean = () => true,
): Promise<RoundOutcome[]> {
  const outcomes: RoundOutcome[] = [];
  for (const release of await deps.releases.allLive()) {
    if (!due(release)) continue;
    try {
      outcomes.push(await guardRound(deps, release, slot));
    } catch (error) {
      const failure =
        error instanceof RollbackError ? error : new RollbackError('internal', String(error), { cause: error });
      deps.engine.logger.warn(
        { err: failure, release: release.id },
        'release guard round failed; the next round tries again',
      );
      outcomes.push({ release: release.id, action: 'skipped', reason: failure.message });
    }
  }
  return outcomes;
}

/**
 * What people do to a release under way: status, pause, resume (Continue),
 * approve a stage that needs it, abort. Each change goes through the
 * authority gate's release act and the release's state machine, then the
 * thread is updated; the answer is one line for the person who asked.
 */
import type { SlackUserId } from '../rollback/ids';
import { RollbackError } from '../rollback/errors';
import { authorize } from '../rollback/incident/gate';
import { findService } from '../rollback/services';
import { progressOf } from '../rollback/release/release';
import { isReleaseOver, transition } from '../rollback/release/release-state';
import type { StoredRelease } from '../store/release-store';
import { abortRelease } from './abort-release';
import { type RolloutDeps, refOf } from './deps';
import { saveAndAnnounce } from './guard-round';

export type ReleaseChange = 'pause' | 'resume' | 'approve' | 'abort';

const noRelease = (service: string) =>
  new RollbackError('not_found', `${service} has no release under way.`, {
    fix: `Start one with /rollout ${service} [<deployment|commit>].`,
  });

export async function releaseStatus(deps: RolloutDeps, serviceName: string): Promise<string> {
  const service = findService(deps.engine.services, serviceName);
  const release = await deps.releases.latest(service.name);
  if (!release) return `${service.name} has had no progressive rollout yet.`;
  const p = progressOf(release, deps.engine.clock.now());
  const time = isReleaseOver(release.state)
    ? ''
    : `, ${p.elapsedMinutes} min elapsed, ${p.remainingMinutes} min remaining`;
  const abort = release.abortedAtPercent !== undefined ? ` Aborted at ${release.abortedAtPercent}% of traffic.` : '';
  const where = `stage ${p.stage} of ${p.stageCount}, ${p.percent}% of traffic${time}`;
  const note = release.note ? ` ${release.note}` : '';
  return `Release ${release.id} of ${release.canary.id} (${release.state}): ${where}.${abort}${note}`;
}

async function target(deps: RolloutDeps, by: { service?: string; releaseId?: string }): Promise<StoredRelease> {
  if (by.releaseId) {
    const release = await deps.releases.byId(by.releaseId);
    if (!release)
      throw new RollbackError('not_found', `Release ${by.releaseId.slice(0, 40)} is not in the bot's records.`);
    return release;
  }
  const service = findService(deps.engine.services, by.service ?? '');
  const release = await deps.releases.live(service.name);
  if (!release) throw noRelease(service.name);
  return release;
}

export async function changeRelease(
  deps: RolloutDeps,
  input: {
    readonly change: ReleaseChange;
    readonly actor: SlackUserId;
    readonly service?: string;
    readonly releaseId?: string;
  },
): Promise<string> {
  const release = await target(deps, input);
  await authorize(deps.engine, {
    service: release.service,
    actor: input.actor,
    act: { kind: 'release', what: `${input.change} release ${release.id}` },
  });
  const by = `<@${input.actor}>`;
  const now = deps.engine.clock.now();
  let saved: StoredRelease | undefined;
  switch (input.change) {
    case 'abort':
      saved = await abortRelease(deps, release, { reason: `aborted by ${by}`, must: false, actor: input.actor });
      break;
    case 'pause':
      saved = await saveAndAnnounce(deps, {
        ...release,
        state: transition(release.state, 'pause'),
        note: `Paused by ${by}.`,
      });
      break;
    case 'resume':
      saved = await saveAndAnnounce(deps, {
        ...release,
        state: transition(release.state, 'resume'),
        note: `Continued by ${by}.`,
      });
      break;
    case 'approve': {
      const state = transition(release.state, 'approve');
      const next = release.stageIndex + 1;
      const service = findService(deps.engine.services, release.service);
      await deps.vercel.approveStage(refOf(service), release.canary.id, next);
      saved = await saveAndAnnounce(deps, {
        ...release,
        state,
        stageIndex: next,
        stageStartedAt: now,
        note: `Stage ${next + 1} approved by ${by}.`,
      });
      break;
    }
  }
  if (!saved) {
    throw new RollbackError('conflict', `Release ${release.id} changed while you asked; nothing was done.`, {
      fix: `Check /rollout status ${release.service} and try again.`,
    });
  }
  return `Release ${saved.id}: ${saved.state.replace('_', ' ')}.`;
}

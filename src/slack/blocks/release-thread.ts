/**
 * A release's messages, from plain data: the root (what is released over
 * what, and the plan), one progress message updated in place (stage, share,
 * elapsed, remaining), and the question when the release waits for a person
 * (Abort / Continue after a SHOULD, Approve / Abort for a stage that needs it).
 */
import type { Release, ReleaseProgress } from '../../rollback/release/release';
import { describePlan } from '../../rollback/release/release-plan';
import { RELEASE_ABORT, RELEASE_APPROVE, RELEASE_CONTINUE } from '../action-ids';
import { type SlackMessage, actions, button, context, header, section } from './elements';
import { escapeMrkdwn, fallback, mention } from './text';

const STATE_WORDS: Record<Release['state'], string> = {
  watching: 'Watching the canary',
  awaiting_approval: 'Waiting for Approve',
  paused: 'Paused (SHOULD trigger or /rollout pause)',
  aborting: 'Aborting: taking all traffic off the canary',
  aborted: 'Aborted: no traffic on the canary',
  completed: 'Complete: 100% of traffic on the new deployment',
};

/** "2.1.0, commit abc1234, dpl_…": a release's deployment as its messages name it. */
export const named = (d: Release['canary']): string =>
  escapeMrkdwn([d.version, d.commitSha && `commit ${d.commitSha.slice(0, 7)}`, d.id].filter(Boolean).join(', '));

export function releaseRoot(release: Release): SlackMessage {
  const title = `🚦 RELEASE IN PROGRESS: ${release.service}`;
  const lines = [
    `*Releasing:* ${named(release.canary)}`,
    `*Over:* ${named(release.base)}`,
    `*Stages:* ${describePlan(release.stages)}`,
    `*Started by:* ${mention(release.requestedBy)}`,
  ];
  const overrides = release.overrides.map(
    (o) => `CTO override of ${o.gate} by ${mention(o.by)}: ${escapeMrkdwn(o.reason)}`,
  );
  const blocks = [header(title), section(lines.join('\n')), ...(overrides.length > 0 ? [context(overrides)] : [])];
  return { text: fallback(`${title}: ${release.canary.id} over ${release.base.id}`), blocks };
}

export function releaseProgress(release: Release, progress: ReleaseProgress): SlackMessage {
  const over = release.state === 'aborted' || release.state === 'completed' || release.state === 'aborting';
  const share = `*${progress.percent}%* of production traffic on the canary`;
  const stage = `Stage ${progress.stage} of ${progress.stageCount}: ${share}`;
  const time = over
    ? ''
    : `\nElapsed ${progress.elapsedMinutes} min, remaining ${progress.remainingMinutes} min of this stage.`;
  const abortShare =
    release.abortedAtPercent !== undefined ? `\nTraffic exposed at abort: ${release.abortedAtPercent}%.` : '';
  const note = release.note ? `\n${escapeMrkdwn(release.note)}` : '';
  const text = `*${STATE_WORDS[release.state]}*\n${stage}${time}${abortShare}${note}`;
  const incident = release.incidentId ? [context([`Incident ${escapeMrkdwn(release.incidentId)}`])] : [];
  return {
    text: fallback(`${release.service}: ${STATE_WORDS[release.state]}, ${progress.percent}%`),
    blocks: [section(text), ...incident],
  };
}

/** The question for the state the release waits in, or undefined when it waits for nobody. */
export function releaseQuestion(release: Release): SlackMessage | undefined {
  const abort = button({
    actionId: RELEASE_ABORT,
    text: 'Abort',
    value: release.id,
    style: 'danger',
    confirm: {
      title: 'Abort the release?',
      text: 'All production traffic goes back to the base deployment (an instant rollback).',
      confirm: 'Abort',
      deny: 'Cancel',
    },
  });
  if (release.state === 'paused') {
    const resume = button({ actionId: RELEASE_CONTINUE, text: 'Continue', value: release.id, style: 'primary' });
    const text = `*Paused.* ${escapeMrkdwn(release.note ?? '')}\nAbort, or Continue watching the canary?`;
    return {
      text: fallback(`${release.service} release paused: Abort or Continue?`),
      blocks: [section(text), actions(`release_${release.id}`, [abort, resume])],
    };
  }
  if (release.state === 'awaiting_approval') {
    const approve = button({ actionId: RELEASE_APPROVE, text: 'Approve', value: release.id, style: 'primary' });
    const text = `*Stage ${release.stageIndex + 1} needs approval* to go on. ${escapeMrkdwn(release.note ?? '')}`;
    return {
      text: fallback(`${release.service} release: approve the next stage?`),
      blocks: [section(text), actions(`release_${release.id}`, [approve, abort])],
    };
  }
  return undefined;
}

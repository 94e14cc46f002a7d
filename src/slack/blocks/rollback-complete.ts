/**
 * The runbook's "✅ ROLLBACK COMPLETE", posted only after verification
 * passed, and its failure counterpart: what was done, what was not, and
 * what the humans should do now.
 */
import { describeIncident, describeService, describeTarget } from './describe';
import {
  type Block,
  type SlackMessage,
  capBlocks,
  context,
  fieldSections,
  header,
  packLines,
  section,
} from './elements';
import { formatDateTime, formatDuration, formatTime } from './format';
import { LIMITS, escapeMrkdwn, fallback, mention, oneLine, truncate } from './text';
import { unpinActions } from './unpin-button';
import type { RollbackCompleteView, RollbackFailedView } from './view-models';

export const ROLLBACK_COMPLETE_TITLE = '✅ ROLLBACK COMPLETE';
export const ROLLBACK_FAILED_TITLE = '❌ ROLLBACK FAILED';
export const ROLLBACK_UNKNOWN_TITLE = '⚠️ ROLLBACK OUTCOME UNKNOWN';

const item = (text: string, max = 600): string => escapeMrkdwn(truncate(oneLine(text), max));

export function rollbackComplete(view: RollbackCompleteView): SlackMessage {
  const version = `Reverted to ${describeTarget(view.target)}`;
  const status = item(view.status ?? 'All systems operational', 500);
  const next = [
    view.postMortemAt ? `Post-mortem scheduled for ${formatDateTime(view.postMortemAt, view.timeZone)}` : undefined,
    ...(view.nextSteps ?? []).map((step) => item(step, 300)),
  ].filter((step): step is string => step !== undefined);
  const nextSteps =
    next.length > 0 ? next.join('; ') : "Post-mortem within 24 hours (see the runbook's Post-Rollback Actions)";
  const body = [
    `*Version:* ${version}`,
    `*Status:* ${status}`,
    `*Next Steps:* ${truncate(nextSteps, 1500)}`,
    `*Incident:* ${describeIncident(view.incident)}`,
  ].join('\n');
  const facts = [
    `*${describeService(view.service)}*`,
    `Restored ${formatTime(view.restoredAt, view.timeZone)}`,
    view.detectionMs !== undefined ? `Detection ${formatDuration(view.detectionMs)}` : '',
    view.executionMs !== undefined ? `Execution ${formatDuration(view.executionMs)}` : '',
    view.downtimeMs !== undefined ? `Downtime ${formatDuration(view.downtimeMs)}` : '',
    view.dataLossRows !== undefined ? `Data loss ${view.dataLossRows} rows` : '',
  ];
  return {
    text: fallback(`${ROLLBACK_COMPLETE_TITLE}: ${describeService(view.service)}. ${version}. ${status}.`),
    blocks: [header(ROLLBACK_COMPLETE_TITLE), section(body), ...pinnedBlocks(view), context(facts)],
  };
}

/** After an instant rollback: production is pinned until someone promotes; the DevOps lead's Unpin does. */
function pinnedBlocks(view: RollbackCompleteView): Block[] {
  if (!view.pinned) return [];
  return [
    section(
      '📌 *Production is pinned* by this instant rollback: Vercel does not assign new ' +
        'production deployments until someone promotes one. Once the fix is pushed and ' +
        'READY, the DevOps lead presses *Unpin* to promote it, so later pushes go live ' +
        'again.',
    ),
    unpinActions({ service: view.service.name, incidentId: view.incident.id }),
  ];
}

const bullets = (items: readonly string[], empty: string): string[] =>
  items.length > 0 ? items.map((entry) => `• ${item(entry)}`) : [`_${empty}_`];

export function rollbackFailed(view: RollbackFailedView): SlackMessage {
  const title = view.outcome === 'unknown' ? ROLLBACK_UNKNOWN_TITLE : ROLLBACK_FAILED_TITLE;
  const lead =
    view.outcome === 'unknown'
      ? `The bot could not confirm whether the last step of the rollback of ` +
        `*${describeService(view.service)}* took effect. Production may or may not be ` +
        `restored: check it by hand before anything is retried.`
      : `The rollback of *${describeService(view.service)}* stopped. Production is *not* confirmed restored.`;
  const more = (n: number): string => `…and ${n} more`;
  const blocks: Block[] = [
    header(title),
    section(lead),
    ...packLines(['*What was done:*', ...bullets(view.done, 'Nothing was changed.')], 10, more),
    ...packLines(['*What was not done:*', ...bullets(view.notDone, 'Nothing is left.')], 10, more),
  ];
  if (view.failingStep) {
    const failing = view.failingStep;
    blocks.push(
      ...fieldSections([
        ['Failing step', item(failing.label, 500)],
        ['Error', item(failing.error, 1500)],
        ...(failing.fix ? ([['Fix', item(failing.fix, 1500)]] as const) : []),
      ]),
    );
  }
  blocks.push(
    ...packLines(['*What to do now:*', ...bullets(view.whatToDoNow, 'Ask the owner in this thread.')], 10, more),
  );
  blocks.push(
    context([
      `*${describeService(view.service)}*`,
      `Incident ${describeIncident(view.incident)}`,
      view.owner ? `Owner ${mention(view.owner)}` : '',
      formatTime(view.at, view.timeZone),
    ]),
  );
  const why = view.failingStep
    ? `${item(view.failingStep.label, 200)}: ${item(view.failingStep.error, 400)}`
    : 'see the thread';
  return {
    text: fallback(`${title}: ${describeService(view.service)} (${escapeMrkdwn(view.incident.id)}): ${why}`),
    blocks: capBlocks(blocks, LIMITS.messageBlocks),
  };
}

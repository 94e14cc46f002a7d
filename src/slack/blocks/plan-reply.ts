/**
 * `/rollback plan`: the ephemeral dry run. Kind, target, steps, migrations
 * between production and the target, data at risk, approvals and the
 * runbook's expected duration, ending with "Nothing was changed."
 */
import { lossLine } from './approval-request';
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
import { LIMITS, escapeMrkdwn, fallback, inlineCode, oneLine, truncate } from './text';
import type { PlanReplyView } from './view-models';

const NOTHING_CHANGED = 'Nothing was changed.';

const APPROVAL_WORDS = { 'git-reset': 'git reset (Option B)', 'schema-rollback': 'schema rollback' } as const;

export function planReply(view: PlanReplyView): SlackMessage {
  const plan = view.plan;
  const target = escapeMrkdwn(truncate(oneLine(view.target), 500));
  const approvals =
    plan.approvals.length > 0
      ? plan.approvals.map((a) => `CTO approval of the ${APPROVAL_WORDS[a.action]} (step ${a.position})`).join('; ')
      : 'None: the DevOps lead (or on-call after hours) may execute it';
  const more = (n: number): string => `…and ${n} more`;
  const blocks: Block[] = [
    header(`📝 Dry run: ${plan.title}`),
    ...fieldSections([
      ['Service', escapeMrkdwn(view.service)],
      ['Target', target],
      ['Expected duration', escapeMrkdwn(plan.duration.runbook)],
      ['Approvals needed', approvals],
      ['Data loss', `${plan.dataLoss === 'high' ? '⚠️ ' : ''}${escapeMrkdwn(plan.dataLossNote)}`],
    ]),
  ];
  if (view.alreadyLive)
    blocks.push(section('ℹ️ The target is already what production serves: the rollback would change nothing.'));
  const steps = plan.steps.map(
    (step) => `${step.position}. ${escapeMrkdwn(step.title)}${step.needsApproval ? ' _(CTO approval first)_' : ''}`,
  );
  blocks.push(...packLines(['*Steps:*', ...steps], 6, more));
  if (view.migrationsBetween.length > 0) {
    const lines = view.migrationsBetween.map((name) => `• ${inlineCode(truncate(oneLine(name), 255))}`);
    blocks.push(
      ...packLines(
        [
          `*Migrations applied in production that the target does not have (${view.migrationsBetween.length}):*`,
          ...lines,
        ],
        8,
        more,
      ),
    );
  } else if (plan.kind === 'application') {
    blocks.push(section('*Migrations between production and the target:* none.'));
  }
  if (view.dataLoss.length > 0)
    blocks.push(...packLines(['*Data-loss estimate:*', ...view.dataLoss.map(lossLine)], 12, more));
  if (view.notes.length > 0) {
    blocks.push(
      ...packLines(
        view.notes.map((note) => `• ${escapeMrkdwn(truncate(oneLine(note), 800))}`),
        10,
        more,
      ),
    );
  }
  blocks.push(context([`*${NOTHING_CHANGED}*`, 'Run the same command without `plan` to do it.']));
  return {
    text: fallback(
      `Dry run for ${escapeMrkdwn(view.service)}: ${escapeMrkdwn(plan.title)} to ` +
        `${target}, ${escapeMrkdwn(plan.duration.runbook)}. ${NOTHING_CHANGED}`,
    ),
    blocks: capBlocks(blocks, LIMITS.messageBlocks),
  };
}

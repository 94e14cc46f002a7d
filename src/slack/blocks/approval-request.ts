/**
 * The CTO approval the runbook's decision matrix requires for a schema
 * rollback or git Option B: the plan, what data would be lost, the runbook's
 * warning, and Approve / Reject buttons (each behind a confirm dialog) that
 * give way to a line saying who decided, or that the request expired.
 */
import { APPROVE, REJECT } from '../action-ids';
import { describeIncident, describeService } from './describe';
import {
  type Block,
  type SlackMessage,
  actions,
  button,
  capBlocks,
  context,
  fieldSections,
  header,
  packLines,
  section,
} from './elements';
import { formatCount, formatDateTime, formatTime } from './format';
import { LIMITS, escapeMrkdwn, fallback, inlineCode, mention, oneLine, truncate } from './text';
import type { ApprovalRequestView, DataLossLine } from './view-models';
import { disableFlagButton, splitOffers } from './flag-switched';

const ACTION_TITLES = { reset: 'Git reset to last good (Option B)', schema: 'Schema migration rollback' } as const;

const HEADINGS = {
  pending: '✋ CTO APPROVAL NEEDED',
  approved: '✅ APPROVED',
  rejected: '🚫 REJECTED',
  expired: '⌛ APPROVAL EXPIRED',
} as const;

/** The runbook's own warnings, nearly word for word. */
const WARNINGS = {
  schema: [
    '⚠️ *WARNING: Database Rollbacks Are Risky*',
    '• Data created after deployment will be lost',
    '• User actions during the broken period may be lost',
    '• Audit trail gaps; compliance issues (HIPAA requires data retention)',
    '*Alternatives:* forward fix (deploy a schema change that fixes the issue), ' +
      'manual data repair, or a feature flag that disables the broken feature.',
    '*Data Loss:* HIGH RISK: new data in dropped columns/tables is LOST (the bot archives it first).',
  ].join('\n'),
  reset: [
    '⚠️ *WARNING: Option B rewrites history* (`git reset --hard` then a force push): ' +
      'the commits after the target leave the deploy branch.',
    '*Recommendation:* Use `git revert` (Option A) to preserve history.',
  ].join('\n'),
} as const;

export function lossLine(loss: DataLossLine): string {
  const table = `${loss.table.schema}.${loss.table.name}`;
  if (loss.column === undefined) return `• table ${inlineCode(table)} dropped: ${formatCount(loss.rows)} row(s) lost`;
  if (loss.effect === 'rewritten') {
    return (
      `• column ${inlineCode(`${table}.${loss.column}`)} converted back to its earlier ` +
      `type: ${formatCount(loss.nonNullValues)} non-empty value(s) in ` +
      `${formatCount(loss.rows)} row(s) archived first; a value that does not fit stops ` +
      `the rollback instead of being cut`
    );
  }
  return (
    `• column ${inlineCode(`${table}.${loss.column}`)} dropped: ` +
    `${formatCount(loss.nonNullValues)} non-empty value(s) in ` +
    `${formatCount(loss.rows)} row(s) lost`
  );
}

function decisionBlocks(view: ApprovalRequestView): Block[] {
  const state = view.state;
  const command = inlineCode(truncate(oneLine(view.retryCommand), 500));
  switch (state.status) {
    case 'approved':
      return [
        section(
          `✅ *Approved* by ${mention(state.by)} at ${formatTime(state.at, view.timeZone)}. ` +
            `The rollback goes ahead; progress follows in this thread.`,
        ),
      ];
    case 'rejected':
      return [
        section(
          `🚫 *Rejected* by ${mention(state.by)} at ${formatTime(state.at, view.timeZone)}. ` +
            `Nothing was changed; the step is cancelled.`,
        ),
      ];
    case 'expired':
      return [
        section(
          `⌛ This approval expired at ${formatTime(state.at, view.timeZone)} without a ` +
            `decision; nothing was changed. Ask again with ${command}.`,
        ),
      ];
    case 'pending':
      break;
  }
  const what = ACTION_TITLES[view.kind].toLowerCase();
  const consequence =
    view.kind === 'schema'
      ? 'Data in dropped columns and tables is archived, then dropped.'
      : 'The deploy branch is force-pushed.';
  const ready = view.kind !== 'schema' || view.dataLoss !== undefined;
  const approve = button({
    actionId: APPROVE,
    text: 'Approve',
    value: view.approvalId,
    style: 'primary',
    confirm: {
      title: `Approve the ${view.kind === 'schema' ? 'schema rollback' : 'git reset'}?`,
      text: `This runs the ${what} of ${describeService(view.service)} on production now. ${consequence}`,
      confirm: 'Approve',
      deny: 'Cancel',
    },
  });
  const reject = button({
    actionId: REJECT,
    text: 'Reject',
    value: view.approvalId,
    style: 'danger',
    confirm: {
      title: 'Reject this request?',
      text: 'The step is cancelled and nothing is changed.',
      confirm: 'Reject',
      deny: 'Cancel',
    },
  });
  const blocks: Block[] = [];
  if (!ready)
    blocks.push(
      section('_The data-loss estimate is being prepared on the live database; Approve appears once it is ready._'),
    );
  blocks.push(actions(`approval:${view.approvalId}`, ready ? [approve, reject] : [reject]));
  blocks.push(
    context([
      `Only a CTO other than ${mention(view.requestedBy)} can approve.`,
      `Expires at ${formatTime(view.expiresAt, view.timeZone)}.`,
    ]),
  );
  return blocks;
}

/** The runbook's preferred alternative to a schema rollback: disable the broken feature (nothing is lost). */
function alternativeBlocks(view: ApprovalRequestView): Block[] {
  if (view.kind !== 'schema' || view.state.status !== 'pending') return [];
  const { offered, offLines } = splitOffers(view.flags, 5, view.timeZone);
  const lead =
    '🚩 *Preferred alternative (runbook): disable the broken feature with its flag.* No data is lost and ' +
    'production stays on this version.';
  if (offered.length > 0 || offLines.length > 0) {
    const buttons = offered.map((flag) => disableFlagButton(view.incident.id, flag));
    const off = offLines.length > 0 ? [section(offLines.join('\n'))] : [];
    return [section(lead), ...off, ...(buttons.length > 0 ? [actions(`flags:${view.approvalId}`, buttons)] : [])];
  }
  const names = view.flagNames ?? [];
  if (names.length === 0) return [];
  const command = inlineCode(`/rollback flag ${view.service.name} <flag> off <reason>`);
  return [section(`${lead} Flags of this service: ${names.map(inlineCode).join(', ')}; use ${command}.`)];
}

export function approvalRequest(view: ApprovalRequestView): SlackMessage {
  const title = ACTION_TITLES[view.kind];
  const target = inlineCode(truncate(oneLine(view.target), 255));
  const ask = [
    `${mention(view.requestedBy)} asks to run a *${title.toLowerCase()}* of ` +
      `*${describeService(view.service)}* (target ${target}).`,
    view.reason ? `*Reason:* ${escapeMrkdwn(truncate(view.reason.trim(), 1500))}` : '',
  ].filter(Boolean);
  const more = (n: number): string => `…and ${n} more`;
  const loss =
    view.dataLoss === undefined
      ? ['*Data-loss estimate:* _being prepared…_']
      : [
          '*Data-loss estimate:*',
          ...(view.dataLoss.length > 0 ? view.dataLoss.map(lossLine) : ['• No table or column would be dropped.']),
        ];
  if (view.dataLossNote) loss.push(`_${escapeMrkdwn(truncate(oneLine(view.dataLossNote), 500))}_`);
  const blocks: Block[] = [
    header(`${HEADINGS[view.state.status]}: ${title}`),
    section(ask.join('\n')),
    ...fieldSections([
      ['Incident', describeIncident(view.incident)],
      ['Requested', formatDateTime(view.requestedAt, view.timeZone)],
      ['Expires', formatDateTime(view.expiresAt, view.timeZone)],
      ['Approver', 'CTO (not the requester)'],
    ]),
    ...packLines(
      ['*Plan:*', ...view.planSteps.map((step, i) => `${i + 1}. ${escapeMrkdwn(truncate(oneLine(step), 400))}`)],
      8,
      more,
    ),
    ...packLines(loss, 12, more),
    section(WARNINGS[view.kind]),
  ];
  const notes = view.notes ?? [];
  if (notes.length > 0)
    blocks.push(
      ...packLines(
        notes.map((note) => `• ${escapeMrkdwn(truncate(oneLine(note), 600))}`),
        6,
        more,
      ),
    );
  const decision = [...alternativeBlocks(view), ...decisionBlocks(view)];
  const body = capBlocks(blocks, LIMITS.messageBlocks - decision.length);
  const status =
    view.state.status === 'pending' ? `expires ${formatTime(view.expiresAt, view.timeZone)}` : view.state.status;
  return {
    text: fallback(
      `✋ CTO approval needed: ${title.toLowerCase()} of ${describeService(view.service)} ` +
        `(${escapeMrkdwn(view.incident.id)}), ${status}.`,
    ),
    blocks: [...body, ...decision],
  };
}

import type { types } from '@slack/bolt';
import { APPROVE, HOTFIX, HOTFIX_DONE, MONITOR, REJECT, ROLLBACK_NOW } from '../../../src/slack/action-ids';
import { approvalRequest, hotfixQuestion, renderText } from '../../../src/slack/blocks';
import { lossLine } from '../../../src/slack/blocks/approval-request';
import type { ApprovalRequestView, HotfixQuestionView } from '../../../src/slack/blocks';
import { CTO, DEVOPS, TZ, at, expectSendable, huge, incident, service } from './fixtures';

const buttons = (blocks: types.KnownBlock[]): types.Button[] =>
  blocks.flatMap((b) => (b.type === 'actions' ? (b.elements as types.Button[]) : []));

const approval: ApprovalRequestView = {
  approvalId: 'apr_01HQ7',
  incident,
  service,
  kind: 'schema',
  target: '20260117_add_ai_features',
  planSteps: [
    'Archive "ClinicalNote"."aiGenerated" to rollback_archive',
    'ALTER TABLE "ClinicalNote" DROP COLUMN "aiGenerated"',
    'Mark the migration rolled back',
  ],
  dataLoss: [
    { table: { schema: 'public', name: 'ClinicalNote' }, column: 'aiGenerated', rows: 12840, nonNullValues: 311 },
    { table: { schema: 'public', name: 'AiSuggestion' }, rows: 977, nonNullValues: 977 },
  ],
  notes: ['Alternative: forward fix'],
  requestedBy: DEVOPS,
  reason: 'AI notes column corrupts saves',
  requestedAt: at('14:10'),
  expiresAt: at('14:40'),
  timeZone: TZ,
  state: { status: 'pending' },
  retryCommand: '/rollback schema dr-amal 20260117_add_ai_features',
};

describe('approvalRequest', () => {
  it('shows plan, data-loss estimate, the runbook warning, who asked and when it expires, with Approve/Reject', () => {
    const message = approvalRequest(approval);
    expectSendable(message);
    const text = renderText(message.blocks);
    expect(text).toContain('CTO APPROVAL NEEDED: Schema migration rollback');
    expect(text).toContain('@U0DEVOPS1 asks to run a *schema migration rollback* of *Dr Amal Clinical OS (dr-amal)*');
    expect(text).toContain(
      'column `public.ClinicalNote.aiGenerated` dropped: 311 non-empty value(s) in 12,840 row(s) lost',
    );
    expect(text).toContain('table `public.AiSuggestion` dropped: 977 row(s) lost');
    expect(text).toContain('WARNING: Database Rollbacks Are Risky');
    expect(text).toContain('HIPAA requires data retention');
    expect(text).toContain('Expires at 2:40 PM ET.');
    expect(text).toContain('[Approve] [Reject]');
    expect(text).toMatchSnapshot();
  });

  it('puts the approval id in both buttons, styled and each behind a confirm dialog', () => {
    const [approve, reject] = buttons(approvalRequest(approval).blocks);
    expect(approve).toMatchObject({
      action_id: APPROVE,
      value: 'apr_01HQ7',
      style: 'primary',
      confirm: { confirm: { text: 'Approve' } },
    });
    expect(reject).toMatchObject({
      action_id: REJECT,
      value: 'apr_01HQ7',
      style: 'danger',
      confirm: { confirm: { text: 'Reject' } },
    });
  });

  it('withholds Approve while the schema data-loss estimate is being prepared', () => {
    const message = approvalRequest({ ...approval, dataLoss: undefined });
    expectSendable(message);
    expect(buttons(message.blocks).map((b) => b.action_id)).toEqual([REJECT]);
    expect(renderText(message.blocks)).toContain('Approve appears once it is ready');
  });

  it('warns about Option B rewriting history and recommends Option A', () => {
    const text = renderText(approvalRequest({ ...approval, kind: 'reset', target: 'b7920c6', dataLoss: [] }).blocks);
    expect(text).toContain('Option B rewrites history');
    expect(text).toContain('Use `git revert` (Option A) to preserve history');
    expect(text).toContain('[Approve] [Reject]');
  });

  it('replaces the buttons with who decided when, or with the expiry and how to ask again', () => {
    const approved = approvalRequest({ ...approval, state: { status: 'approved', by: CTO, at: at('14:12') } });
    const rejected = approvalRequest({ ...approval, state: { status: 'rejected', by: CTO, at: at('14:13') } });
    const expired = approvalRequest({ ...approval, state: { status: 'expired', at: at('14:40') } });
    for (const message of [approved, rejected, expired]) {
      expectSendable(message);
      expect(buttons(message.blocks)).toEqual([]);
    }
    expect(renderText(approved.blocks)).toContain('✅ *Approved* by @U0CTO0001 at 2:12 PM ET.');
    expect(renderText(rejected.blocks)).toContain('🚫 *Rejected* by @U0CTO0001 at 2:13 PM ET.');
    expect(renderText(approved.blocks)).toMatch(/^✅ APPROVED: Schema migration rollback/);
    expect(renderText(expired.blocks)).toMatch(/^⌛ APPROVAL EXPIRED: Schema migration rollback/);
    expect(renderText(expired.blocks)).toContain(
      'This approval expired at 2:40 PM ET without a decision; nothing was changed. Ask ' +
        'again with `/rollback schema dr-amal 20260117_add_ai_features`.',
    );
    expect(renderText(expired.blocks)).toMatchSnapshot();
  });

  it('stays sendable with 40 dropped tables, 60 plan steps, 50 notes and a huge reason, keeping the buttons', () => {
    const message = approvalRequest({
      ...approval,
      target: huge(400),
      reason: huge(),
      dataLossNote: huge(),
      planSteps: Array.from({ length: 60 }, () => huge(900)),
      dataLoss: Array.from({ length: 40 }, (_, i) => ({
        table: { schema: 'public', name: `${huge(60)}${i}` },
        column: huge(60),
        rows: 1e9,
        nonNullValues: 5e8,
      })),
      notes: Array.from({ length: 50 }, () => huge(900)),
    });
    expectSendable(message);
    expect(buttons(message.blocks).map((b) => b.action_id)).toEqual([APPROVE, REJECT]);
  });
});

const question = (q: HotfixQuestionView['question']): HotfixQuestionView => ({
  incident,
  service,
  timeZone: TZ,
  question: q,
});

describe('hotfixQuestion', () => {
  it('asks the runbook question with Hotfix, Roll back now and Monitor, all carrying the incident id', () => {
    const message = hotfixQuestion(question({ status: 'asked', round: 1, askedAt: at('14:00') }));
    expectSendable(message);
    expect(buttons(message.blocks).map((b) => [b.action_id, b.value])).toEqual([
      [HOTFIX, incident.id],
      [ROLLBACK_NOW, incident.id],
      [MONITOR, incident.id],
    ]);
    expect(renderText(message.blocks)).toMatchSnapshot();
  });

  it('shows the deadline of a claim and keeps Roll back now', () => {
    const message = hotfixQuestion(
      question({ status: 'hotfix_claimed', round: 1, claimedBy: DEVOPS, claimedAt: at('14:01') }),
    );
    expectSendable(message);
    expect(renderText(message.blocks)).toContain('If production is not healthy by *2:06 PM ET*');
    expect(buttons(message.blocks).map((b) => b.action_id)).toEqual([HOTFIX_DONE, ROLLBACK_NOW]);
  });

  it('proposes the rollback first when asked again after the window ran out', () => {
    const message = hotfixQuestion(question({ status: 'asked', round: 2, askedAt: at('14:06') }));
    expect(renderText(message.blocks)).toContain('The runbook says: *roll back immediately*');
    expect(buttons(message.blocks).map((b) => b.action_id)).toEqual([ROLLBACK_NOW, HOTFIX, MONITOR]);
  });

  it('drops the buttons once hotfixed or rolled back', () => {
    const hotfixed = hotfixQuestion(question({ status: 'hotfixed', round: 1, by: DEVOPS, at: at('14:04') }));
    const rolledBack = hotfixQuestion(question({ status: 'rollback_chosen', round: 1, by: DEVOPS, at: at('14:03') }));
    expect(buttons(hotfixed.blocks)).toEqual([]);
    expect(buttons(rolledBack.blocks)).toEqual([]);
    expect(renderText(hotfixed.blocks)).toContain('Hotfixed: @U0DEVOPS1 reported the hotfix out at 2:04 PM ET');
    expect(renderText(rolledBack.blocks)).toContain('Rolled back: @U0DEVOPS1 chose to roll back at 2:03 PM ET');
  });

  it('stays sendable with a huge hostile incident id and service name', () => {
    const message = hotfixQuestion({
      ...question({ status: 'asked', round: 1, askedAt: at('14:00') }),
      incident: { id: huge(5000) },
      service: { name: huge(300), displayName: huge() },
    });
    expectSendable(message);
  });
});

describe('data-loss lines', () => {
  it('says "dropped" only for drops and "converted back" for a type change, archived first either way', () => {
    const table = { schema: 'public', name: 'ClinicalNote' };
    expect(lossLine({ table, column: 'aiSummary', effect: 'dropped', rows: 50, nonNullValues: 30 })).toMatch(
      /dropped: 30 non-empty value\(s\) in 50 row\(s\) lost/,
    );
    const rewritten = lossLine({ table, column: 'body', effect: 'rewritten', rows: 50, nonNullValues: 50 });
    expect(rewritten).toMatch(/converted back to its earlier type/);
    expect(rewritten).not.toMatch(/dropped|lost/);
  });
});

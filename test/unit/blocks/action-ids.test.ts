import * as ids from '../../../src/slack/action-ids';
import { approvalRequest, hotfixQuestion, rollbackComplete, rollbackModal } from '../../../src/slack/blocks';
import { detectionProposal } from '../../../src/slack/blocks/detection-alerts';
import { releaseQuestion } from '../../../src/slack/blocks/release-thread';
import type { Release } from '../../../src/rollback/release/release';
import { DEVOPS, TZ, at, incident, service } from './fixtures';

function actionIdsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(actionIdsIn);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const own = typeof record.action_id === 'string' ? [record.action_id] : [];
  return [...own, ...Object.values(record).flatMap(actionIdsIn)];
}

describe('action ids', () => {
  it("are unique and within Slack's 255 characters", () => {
    const all = [
      ...ids.BUTTON_ACTION_IDS,
      ...ids.MODAL_INPUT_ACTION_IDS,
      ids.ROLLBACK_MODAL_CALLBACK_ID,
      ...Object.values(ids.ROLLBACK_MODAL_FIELDS).map((f) => f.blockId),
    ];
    expect(new Set(all).size).toBe(all.length);
    for (const id of all) expect(id.length).toBeLessThanOrEqual(255);
  });

  it('cover every action id the builders put on buttons and inputs', () => {
    const approval = approvalRequest({
      approvalId: 'apr_1',
      incident,
      service,
      kind: 'schema',
      target: 'm',
      planSteps: [],
      dataLoss: [],
      requestedBy: DEVOPS,
      requestedAt: at('14:00'),
      expiresAt: at('14:30'),
      timeZone: TZ,
      state: { status: 'pending' },
      retryCommand: '/rollback schema dr-amal m',
    });
    const flags = [{ name: 'ai-notes', description: 'AI-generated clinical notes' }];
    const question = { status: 'asked', round: 1, askedAt: at('14:00') } as const;
    const asked = hotfixQuestion({ incident, service, timeZone: TZ, question, flags });
    const claimed = hotfixQuestion({
      incident,
      service,
      timeZone: TZ,
      question: { status: 'hotfix_claimed', round: 1, claimedBy: DEVOPS, claimedAt: at('14:00') },
    });
    const proposal = detectionProposal({
      detectionId: '7',
      timeZone: TZ,
      service,
      level: 'may',
      reason: 'r',
      owners: [DEVOPS],
      alerts: [],
      totals: { alerts: 0, firing: 0, notifications: 0 },
      since: at('14:00'),
    });
    const pinned = rollbackComplete({
      incident,
      service,
      timeZone: TZ,
      target: { version: '1.9.0' },
      restoredAt: at('14:10'),
      pinned: true,
    });
    // A release's question, paused by a SHOULD (Abort / Continue) and at a stage that needs approval.
    const release = {
      id: 'rel_1',
      service: service.name,
      stageIndex: 0,
      note: 'canary p95 +60%',
    } as unknown as Release;
    const paused = releaseQuestion({ ...release, state: 'paused' });
    const awaiting = releaseQuestion({ ...release, state: 'awaiting_approval' });
    const used = new Set(
      actionIdsIn([
        approval.blocks,
        asked.blocks,
        claimed.blocks,
        proposal.blocks,
        pinned.blocks,
        paused?.blocks,
        awaiting?.blocks,
      ]),
    );
    expect([...used].sort()).toEqual([...ids.BUTTON_ACTION_IDS].sort());
    expect(new Set(actionIdsIn(rollbackModal({ services: [service] }).blocks))).toEqual(
      new Set(ids.MODAL_INPUT_ACTION_IDS),
    );
  });
});

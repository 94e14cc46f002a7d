/** "Disable <flag>" on the hotfix question and the schema approval, and the post after a switch. */
import { approvalRequest, hotfixQuestion } from '../../../src/slack/blocks';
import { flagCtoNotice, flagSwitched, readDisableValue } from '../../../src/slack/blocks/flag-switched';
import { DISABLE_FLAG, ROLLBACK_NOW } from '../../../src/slack/action-ids';
import { DEVOPS, ONCALL, TZ, at, expectSendable, huge, incident, service } from './fixtures';

const flags = [{ name: 'ai-notes', description: huge(400) }];
const buttons = (blocks: unknown): { action_id: string; value: string }[] =>
  JSON.parse(JSON.stringify(blocks), (_k, v: unknown) => v).flatMap((b: { elements?: unknown[] }) =>
    b.elements && (b as { type?: string }).type === 'actions' ? b.elements : [],
  );
const approval = (extra: Record<string, unknown>) =>
  approvalRequest({
    approvalId: 'apr_1',
    incident,
    service,
    kind: 'schema',
    target: '20260117_add_ai',
    planSteps: [],
    dataLoss: [],
    requestedBy: DEVOPS,
    requestedAt: at('14:00'),
    expiresAt: at('14:30'),
    timeZone: TZ,
    state: { status: 'pending' },
    retryCommand: '/rollback schema dr-amal m',
    ...extra,
  });

describe('the kill switch in Slack', () => {
  it('offers "Disable <flag>" right after "Roll back now" when the alert names a flag, and not otherwise', () => {
    const asked = hotfixQuestion({
      incident,
      service,
      timeZone: TZ,
      question: { status: 'asked', round: 1, askedAt: at('14:00') },
      flags,
    });
    expectSendable(asked);
    const ids = buttons(asked.blocks).map((b) => b.action_id);
    expect(ids.slice(1, 3)).toEqual([ROLLBACK_NOW, DISABLE_FLAG]);
    const disable = buttons(asked.blocks).find((b) => b.action_id === DISABLE_FLAG);
    expect(readDisableValue(disable?.value ?? '')).toEqual({ incidentId: incident.id, flag: 'ai-notes' });
    const plain = hotfixQuestion({
      incident,
      service,
      timeZone: TZ,
      question: { status: 'asked', round: 1, askedAt: at('14:00') },
    });
    expect(buttons(plain.blocks).map((b) => b.action_id)).not.toContain(DISABLE_FLAG);
  });

  it("puts the flag on a pending schema approval as the runbook's preferred alternative, or names the command", () => {
    const offered = approval({ flags, flagNames: ['ai-notes'] });
    expectSendable(offered);
    expect(JSON.stringify(offered.blocks)).toMatch(/Preferred alternative \(runbook\)/);
    expect(buttons(offered.blocks).map((b) => b.action_id)).toContain(DISABLE_FLAG);
    const named = approval({ flags: [], flagNames: ['ai-notes'] });
    expect(JSON.stringify(named.blocks)).toMatch(/\/rollback flag dr-amal &lt;flag&gt; off/);
    expect(buttons(named.blocks).map((b) => b.action_id)).not.toContain(DISABLE_FLAG);
    const decided = approval({
      flags,
      flagNames: ['ai-notes'],
      state: { status: 'rejected', by: DEVOPS, at: at('14:05') },
    });
    expect(JSON.stringify(decided.blocks)).not.toMatch(/Preferred alternative/);
  });

  it('says a flag the provider already reads off is off, instead of offering it', () => {
    const offAtProvider = [{ ...flags[0]!, offAtProvider: true }];
    const pending = approval({ flags: offAtProvider, flagNames: ['ai-notes'] });
    expectSendable(pending);
    expect(JSON.stringify(pending.blocks)).toContain('`ai-notes` is off (already off at the provider)');
    expect(buttons(pending.blocks).map((b) => b.action_id)).not.toContain(DISABLE_FLAG);
    const asked = hotfixQuestion({
      incident,
      service,
      timeZone: TZ,
      question: { status: 'asked', round: 1, askedAt: at('14:00') },
      flags: offAtProvider,
    });
    expect(JSON.stringify(asked.blocks)).toContain('already off at the provider');
    expect(buttons(asked.blocks).map((b) => b.action_id)).toEqual(expect.not.arrayContaining([DISABLE_FLAG]));
  });

  it('tells the channel and the CTO what was switched and read back, escaping what people typed', () => {
    const view = {
      timeZone: TZ,
      service,
      flag: 'ai-notes',
      description: huge(300),
      state: 'off' as const,
      actor: ONCALL,
      reason: huge(),
      incidentId: incident.id,
      value: false,
      readBack: 'where the app reads it, 1.0 s after the change',
      at: at('23:10'),
    };
    for (const message of [flagSwitched(view), flagCtoNotice(view)]) expectSendable(message);
    expect(flagSwitched(view).text).toMatch(/Feature disabled: ai-notes/);
    expect(readDisableValue('no-bar')).toBeUndefined();
  });
});

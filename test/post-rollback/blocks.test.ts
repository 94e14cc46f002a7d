/**
 * The follow-through's block builders against Slack's limits, with hostile and
 * oversized input: every message is accepted by the stand-in's Block Kit
 * checks, user text never mentions or links, and the controls carry the ids
 * the listeners answer.
 */
import { FOLLOW_UP_ACTION_IDS } from '../../src/slack/action-ids';
import { appHome } from '../../src/slack/blocks/app-home';
import {
  followUpChecklistMessage,
  followUpReminderMessage,
  readSnoozeValue,
  readTickBlockId,
} from '../../src/slack/blocks/follow-up-checklist';
import { postMortemMessage } from '../../src/slack/blocks/post-mortem';
import { preflightReply } from '../../src/slack/blocks/preflight-reply';
import { statsReply } from '../../src/slack/blocks/stats-reply';
import { validateView } from '../../src/standins/slack/block-kit';
import { completeItem, followUpChecklist, snoozeItem } from '../../src/rollback/follow-up/checklist';
import { postMortemDraft } from '../../src/rollback/follow-up/post-mortem-draft';
import { incidentTimes } from '../../src/rollback/metrics/incident-times';
import { rollbackMetrics } from '../../src/rollback/metrics/rollback-metrics';
import type { IncidentRecord, TimelineRecord } from '../../src/rollback/ports/incident-store';
import type { CommitSha, ServiceName } from '../../src/rollback/ids';
import { HOSTILE, TZ, allTexts, expectSendable, huge, incident, service } from '../unit/blocks/fixtures';

const restoredAt = new Date('2026-01-17T19:15:00Z');

function record(overrides: Partial<IncidentRecord> = {}): IncidentRecord {
  return {
    id: 'INC-1',
    service: 'dr-amal',
    state: 'resolved',
    issue: huge(5000),
    trigger: HOSTILE,
    openedBy: 'U0DEVOPS1',
    openedAt: new Date('2026-01-17T19:05:00Z'),
    detectedAt: new Date('2026-01-17T19:05:00Z'),
    decidedAt: new Date('2026-01-17T19:06:00Z'),
    restoredAt,
    channelId: 'C0PRODALRT',
    data: {
      request: { kind: 'application', reason: HOSTILE },
      requestedBy: 'U0DEVOPS1',
      owner: 'U0DEVOPS1',
      targetSummary: HOSTILE,
    },
    ...overrides,
  };
}

function controlIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(controlIds);
  if (typeof value !== 'object' || value === null) return [];
  const r = value as Record<string, unknown>;
  return [...(typeof r.action_id === 'string' ? [r.action_id] : []), ...Object.values(r).flatMap(controlIds)];
}

describe('follow-through block builders', () => {
  it(
    'renders the checklist with its controls, ticked boxes as exact copies of their ' +
      'options, and reads its ids back',
    () => {
      let items = completeItem(followUpChecklist(restoredAt), 'verify_health', 'U0DEVOPS1', restoredAt);
      items = snoozeItem(items, 'incident_ticket', new Date(restoredAt.getTime() + 3_600_000 * 24), restoredAt);
      const message = followUpChecklistMessage({
        timeZone: TZ,
        incident,
        service,
        restoredAt,
        owner: 'U0DEVOPS1',
        items,
      });
      expectSendable(message);
      expect(new Set(controlIds(message.blocks))).toEqual(new Set(FOLLOW_UP_ACTION_IDS));
      const group = message.blocks.find((b) => b.type === 'actions') as {
        block_id: string;
        elements: { options: unknown[]; initial_options?: unknown[] }[];
      };
      expect(group.elements[0]?.initial_options).toEqual([group.elements[0]?.options[0]]);
      expect(readTickBlockId(group.block_id)).toEqual({ incidentId: incident.id, horizon: 'within 1 hour' });
      const menu = message.blocks.find((b) => b.type === 'section' && 'accessory' in b) as {
        accessory: { options: { value: string }[] };
      };
      expect(menu.accessory.options.map((o) => readSnoozeValue(o.value))).toEqual([
        { incidentId: incident.id, itemId: 'notify_stakeholders', snooze: '1h' },
        { incidentId: incident.id, itemId: 'notify_stakeholders', snooze: '1d' },
        { incidentId: incident.id, itemId: 'notify_stakeholders', snooze: '1w' },
      ]);
      expect(JSON.stringify(message.blocks)).toContain('snoozed until Jan 18, 2026, 2:15 PM ET');
      expect(readTickBlockId('follow_up:INC-1:2h')).toBeUndefined();
      expect(readSnoozeValue('INC-1|verify_health')).toBeUndefined();
    },
  );

  it('renders a reminder that mentions the owner and names each overdue item', () => {
    const message = followUpReminderMessage({
      timeZone: TZ,
      incident,
      service,
      owner: 'U0DEVOPS1',
      items: followUpChecklist(restoredAt).slice(0, 1),
    });
    expectSendable(message);
    expect(message.text).toBe(
      '⏰ <@U0DEVOPS1>: 1 post-rollback action is past its deadline. Verify production health.',
    );
  });

  it('splits a long post-mortem draft into preformatted sections within the message limits, user text escaped', () => {
    const timeline: TimelineRecord[] = Array.from({ length: 2000 }, (_, i) => ({
      id: String(i),
      incidentId: 'INC-1',
      at: new Date(restoredAt.getTime() - 60_000 + i),
      actor: i % 2 ? 'U0DEVOPS1' : HOSTILE,
      kind: 'step',
      message: `${HOSTILE} step ${i}`,
      data: {},
    }));
    const markdown = postMortemDraft({ incident: record(), timeline, badVersion: HOSTILE });
    const message = postMortemMessage({ timeZone: TZ, incident, service, meetingBy: restoredAt, markdown });
    expectSendable(message);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    const sections = allTexts(message.blocks).filter((t) => t.startsWith('```'));
    expect(sections.length).toBeGreaterThan(5);
    for (const text of sections) {
      expect(text.length).toBeLessThanOrEqual(3000);
      expect(text.endsWith('```')).toBe(true);
    }
    expect(JSON.stringify(message.blocks)).toContain('more block(s) not shown');
  });

  it('renders the stats reply with every figure and the "no data" case', () => {
    const empty = rollbackMetrics([], { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-31T00:00:00Z') });
    const none = statsReply({ timeZone: TZ, metrics: empty });
    expectSendable(none);
    // Only the frequency can be judged without incidents: 0 per month meets "< 1 per month".
    expect(none.text).toContain('0 rollbacks. All 1 judged target met.');
    expect(allTexts(none.blocks).join('\n')).toContain('➖ *Detection time (deployment → detected)*: no data yet');
    const times = incidentTimes(record(), {
      deployedAt: new Date('2026-01-17T19:00:00Z'),
      archives: [{ archiveTable: 'a', rows: 3, restored: false }],
    });
    const some = statsReply({
      timeZone: TZ,
      service,
      metrics: rollbackMetrics([times], {
        from: new Date('2026-01-01T00:00:00Z'),
        to: new Date('2026-02-01T00:00:00Z'),
        deployments: 3,
      }),
    });
    expectSendable(some);
    const text = allTexts(some.blocks).join('\n');
    // Exactly 5 minutes misses "< 5 min".
    expect(text).toContain(
      '❌ *Detection time (deployment → detected)*: worst 5 min (target &lt; 5 min, 1 incident; missed by INC-1)',
    );
    expect(text).toContain('❌ *Data loss (archived values not restored)*: worst 3 rows');
    expect(text).toContain('0.333 per deployment');
  });

  it('renders a preflight report with hostile findings and many notes', () => {
    const reply = preflightReply({
      timeZone: TZ,
      report: {
        service: 'dr-amal' as ServiceName,
        candidate: 'b7920c6aaaaaaa' as CommitSha,
        live: undefined,
        checkedAt: restoredAt,
        passed: false,
        checks: [
          {
            id: 'migrations',
            title: 'Database migrations backward compatible',
            status: 'fail',
            detail: huge(4000),
            fix: HOSTILE,
            notes: Array.from({ length: 30 }, () => huge(500)),
          },
          {
            id: 'on-call',
            title: 'On-call engineer set',
            status: 'pass',
            detail: 'On call: <@U0ONCALL1>, <@S0ONCALL1>.',
            notes: [],
          },
          {
            id: 'environment',
            title: 'Environment variables complete',
            status: 'skip',
            detail: 'No list given.',
            fix: 'Set ROLLBACK_PREFLIGHT_ENV_NAMES.',
            notes: [],
          },
        ],
      },
    });
    expectSendable(reply);
    const text = allTexts(reply.blocks).join('\n');
    expect(text).toContain('On call: <@U0ONCALL1>, <!subteam^S0ONCALL1>.');
    expect(text).toMatch(/• …and \d+ more\n_Fix:_ &lt;!channel&gt;/);
    expect(text).toContain('⏭️ *Environment variables complete* skipped');
  });

  it('keeps App Home within the 100 blocks of a home view with many services, incidents and follow-ups', () => {
    const metrics = rollbackMetrics([], {
      from: new Date('2026-01-01T00:00:00Z'),
      to: new Date('2026-01-31T00:00:00Z'),
    });
    const view = appHome({
      timeZone: TZ,
      openIncidents: Array.from({ length: 40 }, (_, i) => ({
        id: `INC-${i}`,
        service,
        state: 'rolling_back',
        severity: 'must',
        issue: huge(2000),
        openedAt: restoredAt,
      })),
      services: Array.from({ length: 60 }, (_, i) => ({
        service: { name: `svc-${i}`, displayName: HOSTILE },
        live: { version: HOSTILE, commit: 'b7920c6', since: restoredAt },
      })),
      metrics,
      metricsDays: 30,
      followUps: Array.from({ length: 200 }, (_, i) => ({
        incidentId: `INC-${i}`,
        service,
        item: followUpChecklist(restoredAt)[i % 8] as ReturnType<typeof followUpChecklist>[number],
      })),
      asOf: restoredAt,
    });
    expect(validateView(view, 'home')).toEqual([]);
    for (const text of allTexts(view.blocks)) {
      expect(text).not.toContain('<!channel>');
      expect(text).not.toContain('<@U0EVIL>');
    }
  });
});

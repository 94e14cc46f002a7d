import {
  completeItem,
  dueReminders,
  followUpChecklist,
  itemsFromJson,
  itemsToJson,
  markReminded,
  openItems,
  reopenItem,
  snoozeItem,
  specOf,
} from '../../../src/rollback/follow-up/checklist';

const restoredAt = new Date('2026-01-17T14:15:00Z');
const plus = (ms: number): Date => new Date(restoredAt.getTime() + ms);
const MIN = 60_000;
const HOUR = 60 * MIN;
const ids = (items: { id: string }[]): string[] => items.map((i) => i.id);

describe('post-rollback checklist', () => {
  it("lists the runbook's actions with deadlines from the restore time: 1 hour, 24 hours, 1 week", () => {
    const items = followUpChecklist(restoredAt);
    expect(items.map((i) => [i.id, i.dueAt.toISOString()])).toEqual([
      ['verify_health', '2026-01-17T15:15:00.000Z'],
      ['notify_stakeholders', '2026-01-17T15:15:00.000Z'],
      ['incident_ticket', '2026-01-17T15:15:00.000Z'],
      ['post_mortem', '2026-01-18T14:15:00.000Z'],
      ['update_monitoring', '2026-01-18T14:15:00.000Z'],
      ['fix_root_cause', '2026-01-18T14:15:00.000Z'],
      ['improve_deployment', '2026-01-24T14:15:00.000Z'],
      ['lessons_learned', '2026-01-24T14:15:00.000Z'],
    ]);
    expect(specOf('fix_root_cause').details).toContain('Add regression test');
    expect(specOf('post_mortem').details).toHaveLength(5);
  });

  it('has nothing due before the first deadline and the three 1-hour items right after it', () => {
    const items = followUpChecklist(restoredAt);
    expect(dueReminders(items, plus(59 * MIN))).toEqual([]);
    expect(ids(dueReminders(items, plus(HOUR)))).toEqual(['verify_health', 'notify_stakeholders', 'incident_ticket']);
    expect(ids(dueReminders(items, plus(24 * HOUR + 1)))).toHaveLength(6);
    expect(ids(dueReminders(items, plus(8 * 24 * HOUR)))).toHaveLength(8);
  });

  it(
    'stops reminding about a ticked item, keeps the first tick on a double click, and ' + 'starts again when unticked',
    () => {
      let items = completeItem(followUpChecklist(restoredAt), 'verify_health', 'U0DEVOPS1', plus(10 * MIN));
      items = completeItem(items, 'verify_health', 'U0CTO0001', plus(11 * MIN));
      expect(items[0]).toMatchObject({ doneBy: 'U0DEVOPS1', doneAt: plus(10 * MIN) });
      expect(ids(dueReminders(items, plus(2 * HOUR)))).toEqual(['notify_stakeholders', 'incident_ticket']);
      expect(ids(openItems(items))).not.toContain('verify_health');
      items = reopenItem(items, 'verify_health');
      expect(items[0]?.doneAt).toBeUndefined();
      expect(ids(dueReminders(items, plus(2 * HOUR)))).toContain('verify_health');
    },
  );

  it('holds a snoozed item until the snooze ends, then reminds again', () => {
    const items = snoozeItem(followUpChecklist(restoredAt), 'incident_ticket', plus(3 * HOUR), plus(70 * MIN));
    expect(ids(dueReminders(items, plus(2 * HOUR)))).toEqual(['verify_health', 'notify_stakeholders']);
    expect(ids(dueReminders(items, plus(3 * HOUR)))).toContain('incident_ticket');
  });

  it(
    'does not repeat a reminder on every run, but repeats it after the repeat ' + 'interval and after a snooze ends',
    () => {
      let items = followUpChecklist(restoredAt);
      const first = dueReminders(items, plus(HOUR + MIN));
      items = markReminded(items, ids(first), plus(HOUR + MIN));
      expect(dueReminders(items, plus(HOUR + 10 * MIN))).toEqual([]);
      expect(ids(dueReminders(items, plus(HOUR + MIN + 2 * HOUR), { repeatAfterMs: 2 * HOUR }))).toEqual([
        'verify_health',
        'notify_stakeholders',
        'incident_ticket',
      ]);
      items = snoozeItem(items, 'verify_health', plus(90 * MIN), plus(HOUR + 5 * MIN));
      expect(ids(dueReminders(items, plus(90 * MIN)))).toEqual(['verify_health']);
    },
  );

  it('rejects a snooze into the past, snoozing a done item, and unknown items, with a fix', () => {
    const items = followUpChecklist(restoredAt);
    expect(() => snoozeItem(items, 'post_mortem', plus(MIN), plus(2 * MIN))).toThrow(/must end in the future/);
    const done = completeItem(items, 'post_mortem', 'U0DEVOPS1', plus(MIN));
    expect(() => snoozeItem(done, 'post_mortem', plus(HOUR), plus(2 * MIN))).toThrow(/already done/);
    expect(() => completeItem(items, 'write_poem', 'U0DEVOPS1', plus(MIN))).toThrow(
      expect.objectContaining({ code: 'not_found', fix: expect.stringContaining('verify_health') }),
    );
  });

  it('round-trips through JSON (as stored in the incident data) and refuses unreadable entries', () => {
    let items = completeItem(followUpChecklist(restoredAt), 'verify_health', 'U0DEVOPS1', plus(MIN));
    items = snoozeItem(items, 'post_mortem', plus(30 * HOUR), plus(2 * MIN));
    const stored = JSON.parse(JSON.stringify(itemsToJson(items))) as unknown;
    expect(itemsFromJson(stored)).toEqual(items);
    expect(() => itemsFromJson({})).toThrow(/not a list/);
    expect(() => itemsFromJson([{ id: 'nope', title: 'x', dueAt: restoredAt.toISOString() }])).toThrow(/no known id/);
    expect(() =>
      itemsFromJson([{ id: 'post_mortem', title: 'x', dueAt: restoredAt.toISOString(), doneAt: 'yesterday' }]),
    ).toThrow(/unreadable doneAt/);
  });
});

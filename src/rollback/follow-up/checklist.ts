/**
 * The runbook's "Post-Rollback Actions" as a checklist with deadlines counted
 * from the moment production was restored, and which reminders are due.
 * Items are plain data so the store can keep them in the incident's data and
 * Slack can render them as checkboxes.
 */
import { RollbackError } from '../errors';

export type FollowUpId =
  | 'verify_health'
  | 'notify_stakeholders'
  | 'incident_ticket'
  | 'post_mortem'
  | 'update_monitoring'
  | 'fix_root_cause'
  | 'improve_deployment'
  | 'lessons_learned';

export type FollowUpHorizon = 'within 1 hour' | 'within 24 hours' | 'within 1 week';

interface FollowUpSpec {
  id: FollowUpId;
  title: string;
  /** The runbook's sub-points, shown under the checkbox. */
  details: readonly string[];
  horizon: FollowUpHorizon;
}

const HOUR = 3_600_000;
const HORIZON_MS: Readonly<Record<FollowUpHorizon, number>> = {
  'within 1 hour': HOUR,
  'within 24 hours': 24 * HOUR,
  'within 1 week': 7 * 24 * HOUR,
};

const dueAfter = (restoredAt: Date, horizon: FollowUpHorizon): Date =>
  new Date(restoredAt.getTime() + HORIZON_MS[horizon]);

const POST_ROLLBACK_ACTIONS: readonly FollowUpSpec[] = [
  {
    id: 'verify_health',
    title: 'Verify production health',
    details: [
      'Check all critical endpoints (auth, read, write)',
      'Verify rate limiting working',
      'Check database connectivity',
      'Review logs for anomalies',
    ],
    horizon: 'within 1 hour',
  },
  {
    id: 'notify_stakeholders',
    title: 'Notify stakeholders',
    details: ['Update status page', 'Post in Slack #prod-alerts', 'Email CTO/stakeholders'],
    horizon: 'within 1 hour',
  },
  {
    id: 'incident_ticket',
    title: 'Create incident ticket',
    details: ['Document what broke', 'Include error messages, logs', 'Timeline of events', 'Link to rollback commit'],
    horizon: 'within 1 hour',
  },
  {
    id: 'post_mortem',
    title: 'Post-mortem meeting',
    details: [
      'What happened?',
      'Why did it happen?',
      'How did we detect it?',
      'How did we fix it?',
      'How do we prevent it?',
    ],
    horizon: 'within 24 hours',
  },
  {
    id: 'update_monitoring',
    title: 'Update monitoring',
    details: ['Add alerts for missed failure mode', 'Improve detection time'],
    horizon: 'within 24 hours',
  },
  {
    id: 'fix_root_cause',
    title: 'Fix root cause',
    details: [
      'Identify bug in rolled-back code',
      'Fix in development environment',
      'Add regression test',
      'Re-deploy with fix (after thorough testing)',
    ],
    horizon: 'within 24 hours',
  },
  {
    id: 'improve_deployment',
    title: 'Improve deployment process',
    details: ['Add more pre-deployment checks', 'Implement canary deployments', 'Improve staging environment accuracy'],
    horizon: 'within 1 week',
  },
  {
    id: 'lessons_learned',
    title: 'Document lessons learned',
    details: ['Update rollback procedures if needed', 'Add to incident knowledge base', 'Share with team'],
    horizon: 'within 1 week',
  },
];

/**
 * The runbook's post-mortem meeting, "within 24 hours" of the restore: the
 * checklist item, the thread and the draft say the same.
 */
export function postMortemBy(restoredAt: Date): Date {
  return dueAfter(restoredAt, specOf('post_mortem').horizon);
}

export interface FollowUpItem {
  id: FollowUpId;
  title: string;
  dueAt: Date;
  doneAt?: Date;
  doneBy?: string;
  snoozedUntil?: Date;
  /** Last reminder sent, so a reminder job running every few minutes does not repeat itself. */
  remindedAt?: Date;
}

export function followUpChecklist(restoredAt: Date): FollowUpItem[] {
  return POST_ROLLBACK_ACTIONS.map((spec) => ({
    id: spec.id,
    title: spec.title,
    dueAt: dueAfter(restoredAt, spec.horizon),
  }));
}

export function specOf(id: FollowUpId): FollowUpSpec {
  const spec = POST_ROLLBACK_ACTIONS.find((s) => s.id === id);
  if (!spec) throw new RollbackError('internal', `No post-rollback action named ${id}.`);
  return spec;
}

function update(
  items: readonly FollowUpItem[],
  id: string,
  change: (item: FollowUpItem) => FollowUpItem,
): FollowUpItem[] {
  if (!items.some((item) => item.id === id)) {
    throw new RollbackError('not_found', `"${id}" is not on this incident's post-rollback checklist.`, {
      fix: `Use one of: ${items.map((item) => item.id).join(', ')}.`,
    });
  }
  return items.map((item) => (item.id === id ? change(item) : item));
}

/** Ticks an item; ticking again keeps the first tick (a double click must not move who did it). */
export function completeItem(items: readonly FollowUpItem[], id: string, by: string, at: Date): FollowUpItem[] {
  return update(items, id, (item) => (item.doneAt ? item : { ...item, doneAt: at, doneBy: by }));
}

/** Unticks an item (a checkbox cleared by mistake); its reminders start again. */
export function reopenItem(items: readonly FollowUpItem[], id: string): FollowUpItem[] {
  return update(items, id, ({ doneAt: _doneAt, doneBy: _doneBy, ...open }) => open);
}

export function snoozeItem(items: readonly FollowUpItem[], id: string, until: Date, at: Date): FollowUpItem[] {
  if (until.getTime() <= at.getTime()) {
    throw new RollbackError(
      'bad_input',
      `A snooze must end in the future; ${until.toISOString()} is not after ${at.toISOString()}.`,
      {
        fix: 'Pick a later time, e.g. in 1 hour or tomorrow morning.',
      },
    );
  }
  return update(items, id, (item) => {
    if (item.doneAt) {
      throw new RollbackError('conflict', `"${item.title}" is already done; there is nothing to snooze.`, {
        fix: 'Untick it first if it is not done after all.',
      });
    }
    return { ...item, snoozedUntil: until };
  });
}

export interface ReminderOptions {
  /** How long after one reminder the same open item is reminded again; default 24 hours. */
  repeatAfterMs?: number;
}

/**
 * Open items past their deadline and not snoozed at `at`. An item reminded
 * since it fell due (or since its snooze ended) waits `repeatAfterMs` before
 * the next reminder.
 */
export function dueReminders(items: readonly FollowUpItem[], at: Date, options: ReminderOptions = {}): FollowUpItem[] {
  const repeat = options.repeatAfterMs ?? 24 * HOUR;
  const now = at.getTime();
  return items.filter((item) => {
    if (item.doneAt || item.dueAt.getTime() > now) return false;
    if (item.snoozedUntil && item.snoozedUntil.getTime() > now) return false;
    if (!item.remindedAt) return true;
    const since = Math.max(item.dueAt.getTime(), item.snoozedUntil?.getTime() ?? 0);
    if (item.remindedAt.getTime() < since) return true;
    return now - item.remindedAt.getTime() >= repeat;
  });
}

export function markReminded(items: readonly FollowUpItem[], ids: readonly string[], at: Date): FollowUpItem[] {
  const set = new Set(ids);
  return items.map((item) => (set.has(item.id) ? { ...item, remindedAt: at } : item));
}

/** Open items, soonest deadline first (for App Home's "open follow-ups"). */
export function openItems(items: readonly FollowUpItem[]): FollowUpItem[] {
  return items.filter((item) => !item.doneAt).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}

/** The items as stored in JSON (dates as ISO strings) and back. */
export function itemsToJson(items: readonly FollowUpItem[]): Record<string, string>[] {
  return items.map((item) =>
    Object.fromEntries(
      Object.entries(item).flatMap(([key, value]) =>
        value === undefined ? [] : [[key, value instanceof Date ? value.toISOString() : String(value)]],
      ),
    ),
  );
}

const DATE_KEYS = ['dueAt', 'doneAt', 'snoozedUntil', 'remindedAt'] as const;

export function itemsFromJson(raw: unknown): FollowUpItem[] {
  if (!Array.isArray(raw))
    throw new RollbackError('bad_input', 'The stored follow-up checklist is not a list.', {
      fix: 'Rebuild it with followUpChecklist(restoredAt).',
    });
  return raw.map((entry: unknown, index) => {
    const row = entry as Record<string, unknown>;
    const id = row.id as FollowUpId;
    if (!POST_ROLLBACK_ACTIONS.some((s) => s.id === id) || typeof row.title !== 'string') {
      throw new RollbackError('bad_input', `Follow-up item ${index} has no known id or title.`, {
        fix: 'Rebuild the checklist with followUpChecklist(restoredAt).',
      });
    }
    const item: FollowUpItem = { id, title: row.title, dueAt: new Date(String(row.dueAt)) };
    for (const key of DATE_KEYS) {
      if (row[key] === undefined) continue;
      const date = new Date(String(row[key]));
      if (Number.isNaN(date.getTime()))
        throw new RollbackError('bad_input', `Follow-up item ${id} has an unreadable ${key}: ${String(row[key])}.`);
      item[key] = date;
    }
    if (typeof row.doneBy === 'string') item.doneBy = row.doneBy;
    return item;
  });
}

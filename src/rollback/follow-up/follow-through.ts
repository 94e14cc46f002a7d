/**
 * The checklist after the rollback, as the engine runs it: ticks, unticks and
 * snoozes from Slack (by anyone named in the service's roles, each on the
 * timeline), and the reminders due at the deadlines. Only ports: the Slack
 * listener and the reminder job are the adapters around it.
 */
import { findService } from '../services';
import { RollbackError } from '../errors';
import type { SlackUserId } from '../ids';
import { authorize } from '../incident/gate';
import type { EngineDeps } from '../incident/engine-deps';
import type { FollowUpRecords, IncidentRecords, IncidentTimeline } from '../ports/store-roles';
import type { IncidentRecord } from '../ports/incident-store';
import {
  type FollowUpHorizon,
  type FollowUpItem,
  type ReminderOptions,
  completeItem,
  dueReminders,
  markReminded,
  reopenItem,
  snoozeItem,
  specOf,
} from './checklist';

const HOUR = 3_600_000;

/** The snooze choices offered next to each open item. */
export const SNOOZES = [
  { key: '1h', label: '1 hour', ms: HOUR },
  { key: '1d', label: '1 day', ms: 24 * HOUR },
  { key: '1w', label: '1 week', ms: 7 * 24 * HOUR },
] as const;
export type SnoozeKey = (typeof SNOOZES)[number]['key'];

export type FollowUpChange =
  /**
   * The checkboxes of one horizon as Slack reports them: every ticked item of
   * that horizon. `shown`: what the clicker's copy of the message showed
   * ticked before the click; with it, only the item that click changed is
   * applied to the stored state (a stale copy cannot untick a colleague's item).
   */
  | { kind: 'tick'; horizon: FollowUpHorizon; selected: readonly string[]; shown?: readonly string[] }
  | { kind: 'snooze'; itemId: string; snooze: SnoozeKey };

/** The store roles the checklist uses. */
type ChecklistStore = { store: IncidentRecords & IncidentTimeline & FollowUpRecords };
type Deps = Pick<EngineDeps, 'roles' | 'services' | 'clock' | 'announcer'> & ChecklistStore;

const quoted = (item: FollowUpItem): string => `"${item.title}"`;

/** Text from a Slack payload, echoed in an answer: cut short and unable to mention, link or break markup. */
const echo = (text: string, max: number): string =>
  `"${text.slice(0, max).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}"`;

/** "Tue, Jan 20, 10:00 AM EST" in the service's time zone: what a person reads, not an ISO stamp. */
export const readable = (at: Date, timeZone: string): string =>
  new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(at);

function applyTick(
  items: FollowUpItem[],
  change: Extract<FollowUpChange, { kind: 'tick' }>,
  actor: string,
  at: Date,
): FollowUpItem[] {
  const inHorizon = items.filter((item) => specOf(item.id).horizon === change.horizon);
  const stray = change.selected.filter((id) => !inHorizon.some((item) => item.id === id));
  if (stray.length > 0) {
    throw new RollbackError(
      'bad_input',
      `${stray.map((id) => echo(id, 40)).join(', ')} is not an action due ${change.horizon}.`,
      {
        fix: 'Tick the boxes of the checklist message itself.',
      },
    );
  }
  const selected = new Set(change.selected);
  const shown = change.shown ? new Set(change.shown) : undefined;
  // Without what the clicker saw, the selection is the whole truth; with it, only the clicked item moved.
  const clicked = (id: string): boolean => !shown || selected.has(id) !== shown.has(id);
  let next = items;
  for (const item of inHorizon) {
    if (!clicked(item.id)) continue;
    if (selected.has(item.id) && !item.doneAt) next = completeItem(next, item.id, actor, at);
    if (!selected.has(item.id) && item.doneAt) next = reopenItem(next, item.id);
  }
  return next;
}

function snoozeMs(key: string): number {
  const found = SNOOZES.find((s) => s.key === key);
  if (!found)
    throw new RollbackError('bad_input', `${echo(key, 20)} is not a snooze length.`, {
      fix: `Use one of: ${SNOOZES.map((s) => s.label).join(', ')}.`,
    });
  return found.ms;
}

/** What changed between two versions of the checklist, as timeline entries. */
function changesOf(
  before: readonly FollowUpItem[],
  after: readonly FollowUpItem[],
  actor: string,
  timeZone: string,
): { kind: string; message: string; item: FollowUpItem }[] {
  return after.flatMap((item) => {
    const was = before.find((b) => b.id === item.id);
    if (!was) return [];
    if (!was.doneAt && item.doneAt)
      return [{ kind: 'follow_up_done', message: `<@${actor}> ticked ${quoted(item)}.`, item }];
    if (was.doneAt && !item.doneAt)
      return [
        {
          kind: 'follow_up_reopened',
          message: `<@${actor}> unticked ${quoted(item)}; its reminders start again.`,
          item,
        },
      ];
    if (item.snoozedUntil && item.snoozedUntil.getTime() !== was.snoozedUntil?.getTime()) {
      return [
        {
          kind: 'follow_up_snoozed',
          message: `<@${actor}> snoozed ${quoted(item)} until ${readable(item.snoozedUntil, timeZone)}.`,
          item,
        },
      ];
    }
    return [];
  });
}

/**
 * A tick or snooze from Slack. Returns the sentence for the person who clicked.
 * The role is checked before the change is read, so a stranger learns nothing
 * but that they may not; a change the listener could not read is refused after.
 */
export async function answerFollowUp(
  deps: Deps,
  input: { incidentId: string; actor: SlackUserId; change: FollowUpChange | undefined },
): Promise<string> {
  const incident = await deps.store.getIncident(input.incidentId);
  if (!incident) {
    throw new RollbackError('not_found', `There is no incident ${echo(input.incidentId, 80)}.`, {
      fix: 'Use the checklist in a current incident thread.',
    });
  }
  await authorize(deps, {
    service: incident.service,
    actor: input.actor,
    act: { kind: 'decide', what: 'tick or snooze its post-rollback checklist' },
    incidentId: incident.id,
    refusedKind: 'follow_up_refused',
  });
  const { change } = input;
  if (!change) {
    throw new RollbackError(
      'bad_input',
      'That control does not say which item to tick or for how long to snooze it; nothing was changed.',
      {
        fix: 'Use the checkboxes and ⋯ menus of the checklist message in the incident thread.',
      },
    );
  }
  const at = deps.clock.now();
  const { before, after } = await deps.store.changeFollowUps(incident.id, (items) =>
    change.kind === 'tick'
      ? applyTick(items, change, input.actor, at)
      : snoozeItem(items, change.itemId, new Date(at.getTime() + snoozeMs(change.snooze)), at),
  );
  if (before.length === 0) {
    throw new RollbackError(
      'not_found',
      `Incident ${incident.id} has no post-rollback checklist: it starts once production is restored by the rollback.`,
    );
  }
  const changes = changesOf(
    before,
    after,
    input.actor,
    findService(deps.services, incident.service).workingHours.timeZone,
  );
  for (const entry of changes) {
    await deps.store.appendTimeline({
      incidentId: incident.id,
      actor: input.actor,
      kind: entry.kind,
      message: entry.message,
      data: { item: entry.item.id },
    });
  }
  await deps.announcer.announce(incident.id);
  if (changes.length === 0) return 'Nothing changed: the checklist already said so.';
  return changes.map((c) => c.message.replace(`<@${input.actor}> `, 'You ')).join(' ');
}

interface FollowUpReminder {
  incident: IncidentRecord;
  /** The open items past their deadline that this reminder names. */
  items: FollowUpItem[];
}

/**
 * Marks every due reminder as sent and returns them, one per incident, for
 * the caller to post. Marking first means a reminder that fails to post is
 * not repeated before the next interval: one missing reminder beats a
 * channel flooded by a retry loop.
 */
export async function takeDueReminders(
  deps: Pick<EngineDeps, 'clock'> & ChecklistStore,
  options: ReminderOptions = {},
): Promise<FollowUpReminder[]> {
  const at = deps.clock.now();
  const reminders: FollowUpReminder[] = [];
  for (const incidentId of await deps.store.incidentsWithDueFollowUps(at)) {
    const incident = await deps.store.getIncident(incidentId);
    if (!incident || incident.state !== 'resolved') continue;
    let due: FollowUpItem[] = [];
    await deps.store.changeFollowUps(incidentId, (items) => {
      due = dueReminders(items, at, options);
      return markReminded(
        items,
        due.map((item) => item.id),
        at,
      );
    });
    if (due.length === 0) continue;
    await deps.store.appendTimeline({
      incidentId,
      actor: 'rollback-bot',
      kind: 'follow_up_reminder',
      message:
        `Reminded ${incident.data.owner} of ${due.length} overdue post-rollback ` +
        `action(s): ${due.map(quoted).join(', ')}.`,
      data: { items: due.map((item) => item.id) },
    });
    reminders.push({ incident, items: due });
  }
  return reminders;
}

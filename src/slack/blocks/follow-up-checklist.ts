/**
 * The runbook's "Post-Rollback Actions" as a thread message: one group of
 * checkboxes per horizon (within 1 hour, 24 hours, 1 week), each action with
 * its deadline, and a snooze menu next to each open one. Also the reminder
 * posted when open actions pass their deadline.
 */
import type { types } from '@slack/bolt';
import { type FollowUpHorizon, type FollowUpItem, specOf } from '../../rollback/follow-up/checklist';
import { SNOOZES } from '../../rollback/follow-up/follow-through';
import { FOLLOW_UP_SNOOZE, FOLLOW_UP_TICK } from '../action-ids';
import { describeIncident, describeService } from './describe';
import { type Block, type SlackMessage, capBlocks, context, header, section } from './elements';
import { formatDateTime } from './format';
import { LIMITS, escapeMrkdwn, fallback, link, mention, truncate, wholeParts } from './text';
import type { IncidentRef, ServiceRef } from './view-models';

const FOLLOW_UP_TITLE = '📋 Post-rollback checklist';

export interface FollowUpChecklistView {
  timeZone: string;
  incident: IncidentRef;
  service: ServiceRef;
  restoredAt: Date;
  /** Who the reminders mention (the incident's owner). */
  owner: string;
  items: readonly FollowUpItem[];
}

interface FollowUpReminderView {
  timeZone: string;
  incident: IncidentRef;
  service: ServiceRef;
  owner: string;
  items: readonly FollowUpItem[];
}

/** The runbook's three headings, in its order. */
const HORIZONS: readonly { horizon: FollowUpHorizon; key: string; title: string }[] = [
  { horizon: 'within 1 hour', key: '1h', title: 'Immediate (within 1 hour)' },
  { horizon: 'within 24 hours', key: '24h', title: 'Short-term (within 24 hours)' },
  { horizon: 'within 1 week', key: '1w', title: 'Long-term (within 1 week)' },
];

const BLOCK_PREFIX = 'follow_up';

/** block_id of a horizon's checkboxes: the listener reads the incident and horizon back from it. */
export const tickBlockId = (incidentId: string, horizonKey: string): string =>
  `${BLOCK_PREFIX}:${incidentId}:${horizonKey}`;

export function readTickBlockId(blockId: string): { incidentId: string; horizon: FollowUpHorizon } | undefined {
  const match = /^follow_up:(.+):(1h|24h|1w)$/.exec(blockId);
  const found = match ? HORIZONS.find((h) => h.key === match[2]) : undefined;
  return match?.[1] && found ? { incidentId: match[1], horizon: found.horizon } : undefined;
}

export const snoozeValue = (incidentId: string, itemId: string, snooze: string): string =>
  `${incidentId}|${itemId}|${snooze}`;

export function readSnoozeValue(value: string): { incidentId: string; itemId: string; snooze: string } | undefined {
  const parts = value.split('|');
  if (parts.length !== 3 || parts.some((p) => p === '')) return undefined;
  const [incidentId, itemId, snooze] = parts as [string, string, string];
  return { incidentId, itemId, snooze };
}

const plain = (text: string, max: number): types.PlainTextElement => ({
  type: 'plain_text',
  text: truncate(text, max),
  emoji: true,
});

function option(item: FollowUpItem): types.Option {
  const title = escapeMrkdwn(item.title);
  // An item the bot ticked with a link (the incident ticket) shows who; the link gets a line of its own (options are
  // short).
  const by = item.doneBy?.split(' ')[0];
  const text = item.doneAt ? `~${title}~${by ? ` ✓ ${mention(by)}` : ' ✓'}` : `*${title}*`;
  return {
    text: { type: 'mrkdwn', text: truncate(text, LIMITS.optionText) },
    value: item.id,
    description: plain(wholeParts(specOf(item.id).details, LIMITS.optionText), LIMITS.optionText),
  };
}

function checkboxes(items: readonly FollowUpItem[]): types.Checkboxes {
  const options = items.map(option);
  const ticked = options.filter((_o, i) => items[i]?.doneAt);
  return {
    type: 'checkboxes',
    action_id: FOLLOW_UP_TICK,
    options,
    ...(ticked.length > 0 ? { initial_options: ticked } : {}),
  };
}

function snoozeRow(view: FollowUpChecklistView, item: FollowUpItem): types.SectionBlock {
  const when = item.snoozedUntil
    ? `snoozed until ${formatDateTime(item.snoozedUntil, view.timeZone)}`
    : `at ${formatDateTime(item.dueAt, view.timeZone)}`;
  const menu: types.Overflow = {
    type: 'overflow',
    action_id: FOLLOW_UP_SNOOZE,
    options: SNOOZES.map((s) => ({
      text: plain(`Snooze ${s.label}`, LIMITS.optionText),
      value: snoozeValue(view.incident.id, item.id, s.key).slice(0, LIMITS.optionValue),
    })),
  };
  return { ...section(`⏰ Reminder for *${escapeMrkdwn(item.title)}*: ${when}`), accessory: menu };
}

const doneCount = (items: readonly FollowUpItem[]): number => items.filter((item) => item.doneAt).length;

export function followUpChecklistMessage(view: FollowUpChecklistView): SlackMessage {
  const blocks: Block[] = [
    header(FOLLOW_UP_TITLE),
    section(
      `Production of *${describeService(view.service)}* was restored at ` +
        `${formatDateTime(view.restoredAt, view.timeZone)}. ` +
        `Tick each action when it is done. Open ones are reminded to ` +
        `${mention(view.owner)} at their deadline; snooze one with its ⋯ menu.`,
    ),
  ];
  for (const { horizon, key, title } of HORIZONS) {
    const items = view.items.filter((item) => specOf(item.id).horizon === horizon);
    const first = items[0];
    if (!first) continue;
    blocks.push(
      section(
        `*${title}* · due ${formatDateTime(first.dueAt, view.timeZone)} · ${doneCount(items)} of ${items.length} done`,
      ),
    );
    blocks.push({
      type: 'actions',
      block_id: tickBlockId(view.incident.id, key).slice(0, 255),
      elements: [checkboxes(items)],
    });
    for (const item of items) if (!item.doneAt) blocks.push(snoozeRow(view, item));
    for (const item of items) {
      const url = item.doneBy?.split(' ')[1];
      if (item.doneAt && url && /^https?:\/\//.test(url))
        blocks.push(context([`${escapeMrkdwn(item.title)}: ${link(url, url)}`]));
    }
  }
  const done = doneCount(view.items);
  blocks.push(
    context([
      `Incident ${describeIncident(view.incident)}`,
      `*${describeService(view.service)}*`,
      `${done} of ${view.items.length} done`,
    ]),
  );
  return {
    text: fallback(
      `Post-rollback checklist for ${describeService(view.service)} ` +
        `(${escapeMrkdwn(view.incident.id)}): ${done} of ${view.items.length} done.`,
    ),
    blocks: capBlocks(blocks, LIMITS.messageBlocks),
  };
}

export function followUpReminderMessage(view: FollowUpReminderView): SlackMessage {
  const lines = view.items.map(
    (item) => `• *${escapeMrkdwn(item.title)}* (was due ${formatDateTime(item.dueAt, view.timeZone)})`,
  );
  const count = view.items.length;
  const lead =
    `⏰ ${mention(view.owner)}: ${count} post-rollback ` +
    `action${count === 1 ? ' is' : 's are'} past ${count === 1 ? 'its' : 'their'} ` +
    `deadline.`;
  return {
    text: fallback(`${lead} ${view.items.map((item) => escapeMrkdwn(item.title)).join(', ')}.`),
    blocks: [
      section(truncate(`${lead}\n${lines.join('\n')}`, LIMITS.sectionText)),
      context([
        `Tick them in the checklist above when done, or snooze them there`,
        `Incident ${describeIncident(view.incident)}`,
        `*${describeService(view.service)}*`,
      ]),
    ],
  };
}

/**
 * The feature-flag kill switch in Slack: the "Disable <flag>" button the hotfix
 * question and the schema approval offer, and the post (plus the after-hours
 * notice to the CTO) once a flag was switched and read back.
 */
import { DISABLE_FLAG } from '../action-ids';
import { describeService } from './describe';
import { type Block, type SlackMessage, button, context, header, section } from './elements';
import { formatDateTime, formatTime } from './format';
import { escapeMrkdwn, fallback, inlineCode, mention, oneLine, truncate } from './text';
import type { ServiceRef } from './view-models';

/** A flag a message offers to turn off. */
export interface FlagOffer {
  name: string;
  description: string;
  /** Set once the flag was turned off on this incident: the message says so instead of offering Disable again. */
  off?: { by: string; at: Date };
  /** Set when the provider already reads it off (turned off outside the bot): said so, not offered. */
  offAtProvider?: boolean;
}

/** "`ai-notes` is off (turned off by @devops at 10:05 AM ET)": in place of a Disable button already pressed. */
function flagOffLine(flag: FlagOffer & { off: NonNullable<FlagOffer['off']> }, timeZone: string): string {
  const when = formatTime(flag.off.at, timeZone);
  return `🚩 ${inlineCode(flag.name)} is off (turned off by ${mention(flag.off.by)} at ${when})`;
}

/** The offers still to make (buttons) and those already switched off (lines), at most `max` buttons. */
export function splitOffers(
  flags: readonly FlagOffer[] | undefined,
  max: number,
  timeZone: string,
): { offered: FlagOffer[]; offLines: string[] } {
  const all = flags ?? [];
  const offLine = (f: FlagOffer): string[] => {
    if (f.off) return [flagOffLine({ ...f, off: f.off }, timeZone)];
    return f.offAtProvider ? [`🚩 ${inlineCode(f.name)} is off (already off at the provider)`] : [];
  };
  return {
    offered: all.filter((f) => !f.off && !f.offAtProvider).slice(0, max),
    offLines: all.flatMap(offLine),
  };
}

/** The button's value: "<incident id>|<flag name>"; the listener reads it back with readDisableValue. */
const disableValue = (incidentId: string, flag: string): string => `${incidentId}|${flag}`;

export function readDisableValue(value: string): { incidentId: string; flag: string } | undefined {
  const at = value.lastIndexOf('|');
  if (at <= 0 || at === value.length - 1) return undefined;
  return { incidentId: value.slice(0, at), flag: value.slice(at + 1) };
}

export function disableFlagButton(incidentId: string, flag: FlagOffer): ReturnType<typeof button> {
  return button({
    actionId: DISABLE_FLAG,
    text: `Disable ${flag.name}`,
    value: disableValue(incidentId, flag.name),
    confirm: {
      title: `Disable ${flag.name}?`,
      text: `Turns off *${escapeMrkdwn(truncate(flag.description, 200))}* for everyone; production is not rolled back.`,
      confirm: 'Disable',
      deny: 'Cancel',
    },
  });
}

interface FlagSwitchedView {
  timeZone: string;
  service: ServiceRef;
  flag: string;
  description: string;
  state: 'on' | 'off';
  actor: string;
  reason?: string;
  incidentId?: string;
  value: unknown;
  readBack: string;
  at: Date;
}

function lines(view: FlagSwitchedView): string[] {
  const when = formatDateTime(view.at, view.timeZone);
  const feature = escapeMrkdwn(truncate(oneLine(view.description), 200));
  return [
    `${mention(view.actor)} turned ${inlineCode(view.flag)} *${view.state}* (${feature}) ` +
      `on *${describeService(view.service)}* at ${when}.`,
    `*Read back:* ${inlineCode(truncate(JSON.stringify(view.value), 100))} ${escapeMrkdwn(view.readBack)}`,
    view.reason ? `*Reason:* ${escapeMrkdwn(truncate(view.reason.trim(), 1500))}` : '',
    view.incidentId ? `*Incident:* ${escapeMrkdwn(view.incidentId)}` : '',
  ].filter(Boolean);
}

export function flagSwitched(view: FlagSwitchedView): SlackMessage {
  const title = view.state === 'off' ? `🚩 Feature disabled: ${view.flag}` : `🏁 Feature enabled again: ${view.flag}`;
  const next =
    view.state === 'off'
      ? 'No rollback was made. Watch the alert; `/rollback` remains available if production is still broken.'
      : 'The feature is live again: watch for the alert that led to turning it off.';
  const blocks: Block[] = [header(title), section(lines(view).join('\n')), context([next])];
  return { text: fallback(`${title} on ${describeService(view.service)} by ${mention(view.actor)}.`), blocks };
}

/** The runbook's "notify CTO asynchronously" when the on-call engineer switched a flag after hours. */
export function flagCtoNotice(view: FlagSwitchedView): SlackMessage {
  const title = `🌙 After-hours feature flag: ${view.flag} ${view.state}`;
  return {
    text: fallback(`${title} on ${describeService(view.service)} by ${mention(view.actor)} (on-call).`),
    blocks: [
      header(title),
      section(lines(view).join('\n')),
      context([
        'The on-call engineer may act outside working hours and notify the CTO asynchronously. No action needed.',
      ]),
    ],
  };
}

/**
 * Local-time windows (working hours, the deploy window) evaluated in the
 * service's IANA time zone. Intl does the zone arithmetic, so DST changes are
 * handled by the platform's tz database rather than by fixed offsets here.
 */
import { RollbackError } from '../errors';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface TimeWindow {
  readonly timeZone: string;
  /** "HH:MM", 24-hour, local. */
  readonly start: string;
  /** "HH:MM"; before `start` when the window runs past midnight; equal to `start` for all day. */
  readonly end: string;
  /** Days on which the window opens; a window past midnight belongs to the day it opened. Absent: every day. */
  readonly days?: readonly Weekday[];
}

interface LocalTime {
  readonly weekday: Weekday;
  /** Minutes since local midnight. */
  readonly minutes: number;
}

const SHORT_DAYS: Record<string, Weekday> = {
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
  Sun: 'sun',
};

// Building a DateTimeFormat costs far more than using one; each zone gets one.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function localTime(at: Date, timeZone: string): LocalTime {
  let weekday: Weekday | undefined;
  let hour = 0;
  let minute = 0;
  for (const part of formatterFor(timeZone).formatToParts(at)) {
    if (part.type === 'weekday') weekday = SHORT_DAYS[part.value];
    else if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'minute') minute = Number(part.value);
  }
  if (weekday === undefined) {
    throw new RollbackError('internal', `The platform's Intl gave no weekday for ${at.toISOString()} in ${timeZone}.`);
  }
  return { weekday, minutes: hour * 60 + minute };
}

export function parseTimeOfDay(value: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(value);
  if (!match) {
    throw new RollbackError('config_invalid', `"${value}" is not a time of day.`, {
      fix: 'Write it as HH:MM, 24-hour, e.g. 23:00.',
    });
  }
  return Number(match[1]) * 60 + Number(match[2]);
}

function previousDay(day: Weekday): Weekday {
  const index = WEEKDAYS.indexOf(day);
  return WEEKDAYS[(index + WEEKDAYS.length - 1) % WEEKDAYS.length] ?? day;
}

/** True when `at` falls inside the window: start inclusive, end exclusive, local time of its zone. */
export function isWithinWindow(window: TimeWindow, at: Date): boolean {
  const { weekday, minutes } = localTime(at, window.timeZone);
  const start = parseTimeOfDay(window.start);
  const end = parseTimeOfDay(window.end);
  const opensOn = (day: Weekday): boolean => window.days === undefined || window.days.includes(day);
  if (start < end) return opensOn(weekday) && minutes >= start && minutes < end;
  if (start === end) return opensOn(weekday);
  if (minutes >= start) return opensOn(weekday);
  return minutes < end && opensOn(previousDay(weekday));
}

/** "mon–fri 09:00–18:00 America/New_York", for refusals that explain themselves. */
export function describeWindow(window: TimeWindow): string {
  const days = window.days === undefined ? 'every day' : describeDays(window.days);
  return `${days} ${window.start}–${window.end} ${window.timeZone}`;
}

function describeDays(days: readonly Weekday[]): string {
  const sorted = WEEKDAYS.filter((d) => days.includes(d));
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  const contiguous =
    first !== undefined && last !== undefined && WEEKDAYS.indexOf(last) - WEEKDAYS.indexOf(first) === sorted.length - 1;
  if (contiguous && sorted.length > 2) return `${first}–${last}`;
  return sorted.join(', ');
}

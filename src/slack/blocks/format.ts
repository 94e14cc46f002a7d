/**
 * Times, durations and counts as the runbook writes them ("2:00 PM ET",
 * "15 minutes"), in the service's time zone so every reader sees the same
 * words the status page and the email will use.
 */
import { durationWords } from '../../rollback/metrics/incident-times';

const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${timeZone}|${JSON.stringify(options)}`;
  let found = cache.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat('en-US', { timeZone, ...options });
    cache.set(key, found);
  }
  return found;
}

/** "2:00 PM ET" */
export function formatTime(at: Date, timeZone: string): string {
  return formatter(timeZone, { hour: 'numeric', minute: '2-digit', timeZoneName: 'shortGeneric' }).format(at);
}

/** "Jan 17, 2026, 2:00 PM ET" */
export function formatDateTime(at: Date, timeZone: string): string {
  return formatter(timeZone, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'shortGeneric',
  }).format(at);
}

/** "2026-01-17", the runbook table's date column. */
export function formatDay(at: Date, timeZone: string): string {
  const parts = formatter(timeZone, { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const get = (type: string): string => parts.find((part) => part.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** "January 17, 2026", for the email subject. */
export function formatLongDay(at: Date, timeZone: string): string {
  return formatter(timeZone, { year: 'numeric', month: 'long', day: 'numeric' }).format(at);
}

/** "850 ms", "42 s", "4 min 12 s", "1 h 5 min" (the metrics' own writing). */
export const formatDuration = durationWords;

/** "15 minutes", "1 minute": the runbook's way of writing downtime and ETA. */
export function formatMinutes(minutes: number): string {
  const whole = Math.max(0, Math.round(minutes));
  return `${whole} minute${whole === 1 ? '' : 's'}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function plural(n: number, word: string, words = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : words}`;
}

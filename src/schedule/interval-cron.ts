/**
 * "Every N seconds" as a node-cron expression that ticks on the same slots on
 * every replica (aligned to the minute, hour or day, never to a start time),
 * so the scheduler's per-slot lock can tell replicas' ticks apart.
 *
 *   N divides 60             → `*\/N * * * * *`  (6 fields, seconds first)
 *   N = 60·M, M divides 60   → `*\/M * * * *`    (minute form)
 *   N = 3600·H, H divides 24 → `0 *\/H * * *`    (hour form)
 *
 * Anything else cannot be written as evenly spaced cron slots and is refused
 * with a config error naming the field.
 */
import { RollbackError } from '../rollback/errors';

const every = (n: number): string => (n === 1 ? '*' : `*/${n}`);

export function intervalCron(seconds: number, field = 'triggers.evaluationIntervalSeconds'): string {
  if (Number.isInteger(seconds) && seconds > 0) {
    if (seconds < 60 && 60 % seconds === 0) return `${every(seconds)} * * * * *`;
    const minutes = seconds / 60;
    if (Number.isInteger(minutes) && minutes < 60 && 60 % minutes === 0) return `${every(minutes)} * * * *`;
    const hours = seconds / 3600;
    if (Number.isInteger(hours) && hours <= 24 && 24 % hours === 0)
      return hours === 24 ? '0 0 * * *' : `0 ${every(hours)} * * *`;
  }
  throw new RollbackError('config_invalid', `${field} is ${seconds}, which cron cannot repeat evenly.`, {
    fix:
      `Use a number of seconds that divides a minute (5, 10, 15, 20, 30), a whole ` +
      `number of minutes that divides an hour (60, 120, 300, 600, 900, 1800), or of ` +
      `hours that divides a day (3600, 7200, 21600, 86400).`,
    details: { field, seconds },
  });
}

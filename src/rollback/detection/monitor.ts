/**
 * "Monitor": the decision tree's "is production broken? NO -> monitor and
 * investigate", as an answer to a detected trigger. It is recorded, and the
 * bot asks again when the trigger still fires once the window has passed.
 * It never holds a rollback up: Roll back now stays available.
 */
import { RollbackError } from '../errors';
import type { HotfixQuestion } from '../incident/decision-tree';
import { isIncidentOpen, type IncidentState } from '../incident/incident-state';
import type { MonitorChoice } from './detection-record';

export const DEFAULT_MONITOR_WINDOW_MS = 10 * 60_000;

interface MonitorInput {
  incident: { id: string; state: IncidentState; hasSteps: boolean; question?: HotfixQuestion };
  by: string;
  at: Date;
  windowMs?: number;
}

export function chooseMonitor(input: MonitorInput): MonitorChoice {
  const { incident } = input;
  if (!isIncidentOpen(incident.state)) {
    throw new RollbackError(
      'conflict',
      `Incident ${incident.id.slice(0, 40)} is ${incident.state}; there is nothing left to monitor.`,
      {
        fix: 'Use /rollback if production still needs rolling back.',
      },
    );
  }
  if (incident.hasSteps) {
    throw new RollbackError(
      'conflict',
      `A rollback of incident ${incident.id.slice(0, 40)} is already under way; Monitor changes nothing.`,
      {
        fix: 'Follow its progress in the thread.',
      },
    );
  }
  if (incident.question?.status === 'hotfix_claimed') {
    throw new RollbackError('conflict', 'A hotfix is claimed: the bot already asks again when its 5 minutes are up.', {
      fix: 'Press "Hotfix is out" once it ships, or "Roll back now".',
    });
  }
  if (incident.question?.status === 'rollback_chosen') {
    throw new RollbackError('conflict', 'The rollback was already chosen; Monitor changes nothing.', {
      fix: 'Follow its progress in the thread.',
    });
  }
  const windowMs = input.windowMs ?? DEFAULT_MONITOR_WINDOW_MS;
  return { by: input.by, at: input.at, until: new Date(input.at.getTime() + windowMs) };
}

/** Minutes of a window, for messages ("10 minutes"). */
export function windowWords(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

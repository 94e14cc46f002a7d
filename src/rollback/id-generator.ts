/**
 * The engine never draws an id from randomness itself: ids are a port, like
 * the clock, so tests name the incidents they open. The random implementation
 * below is the production one; test/support/memory-store has a counting one.
 */
import { randomBytes } from 'node:crypto';

export interface IdGenerator {
  /** A new incident's id, unique across replicas, e.g. INC-20260117-3F9A1C. */
  incidentId(at: Date): string;
}

/** The runbook's incident id: its UTC day, then a suffix that tells apart the incidents of one day. */
export function incidentIdOn(at: Date, suffix: string): string {
  return `INC-${at.toISOString().slice(0, 10).replace(/-/g, '')}-${suffix}`;
}

/** Six random hex digits a day: two replicas opening incidents at once do not pick the same one. */
export const randomIds: IdGenerator = {
  incidentId: (at) => incidentIdOn(at, randomBytes(3).toString('hex').toUpperCase()),
};

/** pg faults as the store's typed errors, shared by the store's modules. */
import { RollbackError } from '../rollback/errors';

/** The pg error under a RollbackError made by the pool (code and constraint name). */
export function pgFault(error: unknown): { code?: string; constraint?: string } {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  return typeof cause === 'object' && cause !== null ? (cause as { code?: string; constraint?: string }) : {};
}

export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';

export function unknownService(service: string, cause: unknown): RollbackError {
  return new RollbackError('not_found', `The service "${service}" is not in the bot's database.`, {
    cause,
    fix: 'Add it to the services file and restart the bot, which copies the services into its database at start.',
  });
}

export function unknownIncident(id: string, cause?: unknown): RollbackError {
  return new RollbackError('not_found', `Incident ${id} does not exist.`, {
    cause,
    fix: 'Check the incident id (e.g. with /rollback status).',
  });
}

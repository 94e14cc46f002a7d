/**
 * The services the bot serves, as the domain receives them: the composition
 * root loads and validates the services file (src/config/) once and passes the
 * list in; nothing here reads a file.
 */
import type { ServiceConfig } from '../config/service-schema';
import { RollbackError } from './errors';

/** The service of this name, or a not_found error that lists the known ones. */
export function findService(services: readonly ServiceConfig[], name: string): ServiceConfig {
  const service = services.find((s) => s.name === name);
  if (!service) {
    const known = services.map((s) => s.name).join(', ');
    throw new RollbackError('not_found', `Unknown service "${name.slice(0, 64)}".`, {
      fix: `Known services: ${known}.`,
    });
  }
  return service;
}

/**
 * The services file names roles by Slack user or user-group id; the authority
 * rules need user ids. Groups are expanded with usergroups.users.list into a
 * cache that is filled at start and kept fresh in the background: a command
 * or click uses what the cache holds (even a little stale: user groups change
 * rarely) and never waits on Slack, except for a group never read before.
 */
import type { ServiceConfig } from '../config/service-schema';
import type { Logger } from '../logger';
import type { SlackUserId } from '../rollback/ids';
import { ROLES, type ResolvedRoles, type Role } from '../rollback/incident/authority';
import type { RoleDirectory } from '../rollback/incident/engine-deps';

export interface UsergroupClient {
  usergroups: { users: { list(args: { usergroup: string }): Promise<{ users?: string[] }> } };
}

interface CachedRoleDirectory extends RoleDirectory {
  /** Reads every group the services name (at start), so the first command finds them cached. */
  warm(services: readonly ServiceConfig[]): Promise<void>;
}

export function createRoleDirectory(
  client: UsergroupClient,
  logger: Logger,
  ttlMs = 60_000,
  now: () => number = Date.now,
): CachedRoleDirectory {
  const cache = new Map<string, { users: string[]; at: number }>();
  const reading = new Map<string, Promise<string[]>>();

  /** One read per group at a time; a failure keeps what was known (a group never read grants nobody). */
  const read = (id: string): Promise<string[]> => {
    const inFlight = reading.get(id);
    if (inFlight) return inFlight;
    const started = client.usergroups.users
      .list({ usergroup: id })
      .then((answer) => {
        const users = answer.users ?? [];
        cache.set(id, { users, at: now() });
        return users;
      })
      .catch((error: unknown) => {
        // Refusing is safer than guessing: a group we cannot read grants nobody until it can be read.
        logger.warn(
          { err: error, usergroup: id },
          'could not expand a Slack user group; its members get no role until it can be read',
        );
        return cache.get(id)?.users ?? [];
      })
      .finally(() => reading.delete(id));
    reading.set(id, started);
    return started;
  };

  const expand = async (id: string): Promise<string[]> => {
    if (!id.startsWith('S')) return [id];
    const hit = cache.get(id);
    if (!hit) return read(id);
    // Stale: answer with what is known now and refresh behind the answer.
    if (now() - hit.at >= ttlMs) void read(id);
    return hit.users;
  };

  return {
    resolve: async (service: ServiceConfig): Promise<ResolvedRoles> => {
      const entries = await Promise.all(
        ROLES.map(
          async (role: Role) =>
            [role, (await Promise.all(service.roles[role].map(expand))).flat() as SlackUserId[]] as const,
        ),
      );
      return Object.fromEntries(entries) as unknown as ResolvedRoles;
    },
    warm: async (services) => {
      const groups = new Set(
        services.flatMap((s) => ROLES.flatMap((role) => s.roles[role])).filter((id) => id.startsWith('S')),
      );
      await Promise.all([...groups].map(read));
    },
  };
}

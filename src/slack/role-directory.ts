/**
 * The services file names roles by Slack user or user-group id; the authority
 * rules need user ids. Groups are expanded with usergroups.users.list and kept
 * for a minute, so a click does not wait on Slack each time.
 */
import type { ServiceConfig } from '../config/service-schema';
import type { Logger } from '../logger';
import type { SlackUserId } from '../rollback/ids';
import { ROLES, type ResolvedRoles, type Role } from '../rollback/incident/authority';
import type { RoleDirectory } from '../rollback/incident/engine-deps';

export interface UsergroupClient {
  usergroups: { users: { list(args: { usergroup: string }): Promise<{ users?: string[] }> } };
}

export function createRoleDirectory(client: UsergroupClient, logger: Logger, ttlMs = 60_000, now: () => number = Date.now): RoleDirectory {
  const cache = new Map<string, { users: string[]; at: number }>();
  const expand = async (id: string): Promise<string[]> => {
    if (!id.startsWith('S')) return [id];
    const hit = cache.get(id);
    if (hit && now() - hit.at < ttlMs) return hit.users;
    try {
      const users = (await client.usergroups.users.list({ usergroup: id })).users ?? [];
      cache.set(id, { users, at: now() });
      return users;
    } catch (error) {
      // A group we cannot read grants nobody: refusing is safer than guessing.
      logger.warn({ err: error, usergroup: id }, 'could not expand a Slack user group; its members get no role until it can be read');
      return hit?.users ?? [];
    }
  };
  return {
    resolve: async (service: ServiceConfig): Promise<ResolvedRoles> => {
      const entries = await Promise.all(
        ROLES.map(async (role: Role) => [role, (await Promise.all(service.roles[role].map(expand))).flat() as SlackUserId[]] as const),
      );
      return Object.fromEntries(entries) as unknown as ResolvedRoles;
    },
  };
}

/**
 * The runbook's deployment table in memory: sightings fill gaps and never
 * blank what is known, the earliest sighting is kept, and last known good is
 * marked on a deployment recorded first if it was not seen yet.
 */
import type { DeploymentRecord } from '../../../src/rollback/ports/incident-store';
import type { DeploymentRecords } from '../../../src/rollback/ports/store-roles';
import { type MemoryTables, checkService, copy } from './tables';

const key = (service: string, deploymentId: string): string => `${service}\u0000${deploymentId}`;
const earliest = (a: Date | undefined, b: Date): Date => (a !== undefined && a < b ? a : b);

/** served_from DESC NULLS LAST, first_seen_at DESC, deployment_id. */
function newestFirst(a: DeploymentRecord, b: DeploymentRecord): number {
  const served = (d: DeploymentRecord): number => d.servedFrom?.getTime() ?? -Infinity;
  const seen = (d: DeploymentRecord): number => d.firstSeenAt?.getTime() ?? 0;
  return (
    served(b) - served(a) ||
    seen(b) - seen(a) ||
    (a.deploymentId < b.deploymentId ? -1 : a.deploymentId > b.deploymentId ? 1 : 0)
  );
}

export function memoryDeployments(tables: MemoryTables): DeploymentRecords {
  return {
    async recordDeployment(deployment) {
      checkService(tables, deployment.service);
      const id = key(deployment.service, deployment.deploymentId);
      const was = tables.deployments.get(id);
      const seen = deployment.firstSeenAt ?? tables.clock.now();
      const filled: DeploymentRecord = {
        ...was,
        service: deployment.service,
        deploymentId: deployment.deploymentId,
        firstSeenAt: earliest(was?.firstSeenAt, seen),
      };
      for (const field of [
        'url',
        'commitSha',
        'version',
        'servedFrom',
        'servedUntil',
        'lastKnownGoodAt',
        'notes',
      ] as const) {
        if (deployment[field] !== undefined) Object.assign(filled, { [field]: deployment[field] });
      }
      tables.deployments.set(id, filled);
    },

    async deployments(service, limit) {
      return [...tables.deployments.values()]
        .filter((d) => d.service === service)
        .sort(newestFirst)
        .slice(0, limit)
        .map(copy);
    },

    async markLastKnownGood(service, deploymentId, at, notes) {
      checkService(tables, service);
      const id = key(service, deploymentId);
      const was = tables.deployments.get(id);
      tables.deployments.set(id, {
        ...(was ?? { service, deploymentId, firstSeenAt: earliest(tables.clock.now(), at) }),
        lastKnownGoodAt: at,
        notes: notes ?? was?.notes,
      });
    },
  };
}

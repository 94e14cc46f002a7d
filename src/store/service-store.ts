/**
 * The store's per-service part: the advisory lock under which one service's
 * steps start one at a time, and the deployments seen (last known good).
 * Spread into the incident store.
 */
import { RollbackError } from '../rollback/errors';
import type { IncidentStore } from '../rollback/ports/incident-store';
import type { Db } from './pool';
import * as deployments from './queries/deployments';
import * as incidents from './queries/incidents';
import { FOREIGN_KEY_VIOLATION, pgFault, unknownService } from './store-errors';

type ServiceMethods = Pick<IncidentStore, 'withServiceLock' | 'recordDeployment' | 'deployments' | 'markLastKnownGood'>;

export function serviceMethods(db: Db): ServiceMethods {
  return {
    async withServiceLock<T>(service: string, fn: () => Promise<T>) {
      return db.withClient(async (client): Promise<{ ran: true; value: T } | { ran: false }> => {
        const [row] = await client.query<{ locked: boolean }>(incidents.tryServiceLock(service));
        if (!row?.locked) return { ran: false };
        let failed = false;
        let failure: unknown;
        let value: T | undefined;
        try {
          value = await fn();
        } catch (error) {
          failed = true;
          failure = error;
        }
        try {
          await client.query(incidents.releaseServiceLock(service));
        } catch (error) {
          // An "unavailable" error makes the pool destroy this connection, and a closed session holds no lock.
          throw new RollbackError(
            'unavailable',
            `The lock on ${service} could not be released cleanly; its database connection was dropped.`,
            {
              cause: failed ? failure : error,
              retryable: true,
              fix: 'Nothing to do: the lock ended with the connection. If this repeats, check the database.',
            },
          );
        }
        if (failed) throw failure;
        return { ran: true, value: value as T };
      });
    },

    async recordDeployment(deployment) {
      await db.query(deployments.upsertDeployment(deployment)).catch((error: unknown) => {
        throw pgFault(error).code === FOREIGN_KEY_VIOLATION ? unknownService(deployment.service, error) : error;
      });
    },

    async deployments(service, limit) {
      return (await db.query<deployments.DeploymentRow>(deployments.selectDeployments(service, limit))).map(
        deployments.toDeployment,
      );
    },

    async markLastKnownGood(service, deploymentId, at, notes) {
      await db.query(deployments.markLastKnownGood(service, deploymentId, at, notes)).catch((error: unknown) => {
        throw pgFault(error).code === FOREIGN_KEY_VIOLATION ? unknownService(service, error) : error;
      });
    },
  };
}

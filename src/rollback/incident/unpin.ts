/**
 * Unpin: after an instant rollback Vercel stops assigning new production
 * deployments until someone promotes one. The DevOps lead promotes a named
 * READY production deployment (typically the fix) so later pushes go live
 * again; it is written on the incident's timeline (or the service's).
 */
import type { DeploymentId, IncidentId, SlackUserId } from '../ids';
import { RollbackError } from '../errors';
import type { IncidentTimeline } from '../ports/store-roles';
import type { IncidentEngineDeps } from './engine-deps';
import { authorize } from './gate';

interface UnpinInput {
  readonly service: string;
  /** The deployment to promote; default the newest READY production deployment newer than the current one (the fix). */
  readonly deploymentId?: DeploymentId;
  readonly actor: SlackUserId;
  /** The incident whose instant rollback pinned production, when known. */
  readonly incidentId?: IncidentId;
}

type Deps = Pick<IncidentEngineDeps, 'services' | 'roles' | 'clock' | 'application'> & { store: IncidentTimeline };

/** Returns what happened, in words for the person who clicked. */
export async function unpinProduction(deps: Deps, input: UnpinInput): Promise<string> {
  const { service } = await authorize(deps, {
    service: input.service,
    actor: input.actor,
    act: { kind: 'unpin' },
    incidentId: input.incidentId,
  });
  const production = await deps.application.describeProduction(service);
  if (!production.pinnedByRollback)
    return `Production of ${service.name} is not pinned: new deployments already go live. Nothing was changed.`;
  const deploymentId = input.deploymentId ?? (production.unpinWith?.id as DeploymentId | undefined);
  if (!deploymentId || deploymentId === production.current.id) {
    throw new RollbackError(
      'not_found',
      `No READY production deployment of ${service.name} newer than the one serving ` +
        `production (${production.current.id}) to promote; nothing was changed.`,
      {
        fix:
          'Push or redeploy the fix to production (it builds but does not go live while ' +
          'pinned), then press Unpin again.',
      },
    );
  }
  const where = input.incidentId ? { incidentId: input.incidentId } : { service: service.name };
  const result = await deps.application.promote({
    incidentId: input.incidentId ?? (`unpin-${service.name}` as IncidentId),
    service,
    targetId: deploymentId,
  });
  const done = result.status === 'succeeded';
  const message = done
    ? `<@${input.actor}> unpinned production of ${service.name}: ${deploymentId} was ` +
      `promoted and serves production; later pushes go live again.`
    : `<@${input.actor}> asked to unpin production of ${service.name} by promoting ` +
      `${deploymentId}: ${result.explanation}`;
  await deps.store.appendTimeline({
    ...where,
    actor: input.actor,
    kind: done ? 'unpinned' : 'unpin_failed',
    message,
    data: { deploymentId, status: result.status, from: result.fromDeploymentId ?? null },
  });
  return message;
}

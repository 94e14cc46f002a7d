/**
 * "Production is pinned" with its Unpin button, as /rollback status and App
 * Home show it: after an instant rollback Vercel assigns no new production
 * deployment until someone promotes one.
 */
import type { types } from '@slack/bolt';
import { describeTarget } from './describe';
import { section } from './elements';
import { unpinActions } from './unpin-button';
import type { ServiceRef, TargetRef } from './view-models';

export function pinnedBlocks(
  service: ServiceRef,
  pinned: { unpinWith?: TargetRef; incidentId?: string },
): types.KnownBlock[] {
  const next = pinned.unpinWith;
  if (!next?.deploymentId) {
    return [
      section(
        '📌 Production is pinned by an instant rollback: new pushes do not go live. Push ' +
          'the fix; once it is READY the DevOps lead can Unpin here.',
      ),
    ];
  }
  const label = describeTarget(next);
  return [
    section(
      `📌 Production is pinned by an instant rollback: new pushes do not go live. ` +
        `*Unpin* (DevOps lead) promotes ${label} so later pushes go live again.`,
    ),
    unpinActions({ service: service.name, incidentId: pinned.incidentId, deploymentId: next.deploymentId }, label),
  ];
}

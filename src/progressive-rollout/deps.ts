/** What the progressive rollout works with: the engine's ports, its own store, Vercel's Rolling Releases, Slack. */
import type { ServiceConfig } from '../config/service-schema';
import type { EngineDeps } from '../rollback/incident/engine-deps';
import type { PreflightReport } from '../rollback/preflight/report';
import type { Signal } from '../rollback/signals/signal';
import type { Notifier } from '../slack/outbox/notifier';
import type { ReleaseStore } from '../store/release-store';
import type { VercelRollingReleases } from '../vercel/rolling-release';
import type { ProbeContext } from './probe-deployment';

export interface RolloutDeps {
  readonly engine: EngineDeps;
  readonly releases: ReleaseStore;
  readonly vercel: VercelRollingReleases;
  readonly notifier: Notifier;
  readonly probe: ProbeContext;
  /** Firing alerts that name the service. */
  readonly alerts: (service: string, now: Date) => Promise<Signal[]>;
  /** The pre-deployment checklist for the candidate commit. */
  readonly preflight: (service: ServiceConfig, candidate: string | undefined) => Promise<PreflightReport>;
}

export const refOf = (service: ServiceConfig) => ({
  projectId: service.vercel.projectId,
  teamId: service.vercel.teamId,
});

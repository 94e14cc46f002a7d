/**
 * What detection reads besides the alerts to date an episode: when the
 * deployment serving now went live (as recorded from Vercel or the first probe
 * that saw it) and the probe runs since then, each failing or not. The dating
 * itself is the domain's (src/rollback/detection/episode-evidence.ts).
 */
import type { ProbeRunFact } from '../rollback/detection/episode-evidence';
import type { Db } from '../store/pool';
import type { DeploymentRow } from '../store/queries/deployments';
import { selectProbeRuns, selectServingDeployment } from '../store/queries/probes';

export interface ServingFacts {
  goLiveAt?: Date;
  probeRuns: ProbeRunFact[];
}

/** At most this many runs are read: at a 5-30 s interval, hours of them. */
const RUN_LIMIT = 2000;

export async function servingFacts(db: Db, service: string, now: Date): Promise<ServingFacts> {
  const [serving] = await db.query<DeploymentRow>(selectServingDeployment(service));
  const goLiveAt = serving?.served_from ?? undefined;
  // Without a known go-live, the last hour of runs: the first failing one still dates the impact.
  const since = goLiveAt ?? new Date(now.getTime() - 3_600_000);
  const rows = await db.query<{ at: Date; failing: boolean }>(selectProbeRuns(service, since, now, RUN_LIMIT));
  return { ...(goLiveAt ? { goLiveAt } : {}), probeRuns: rows.map((r) => ({ at: r.at, failing: r.failing })) };
}

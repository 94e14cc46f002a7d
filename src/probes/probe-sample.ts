/**
 * What the scheduled probes measured for one service over one evaluation
 * interval [from, to), as the part of the trigger rules' sample that probes
 * can answer: authFailedRuns (consecutive runs whose sign-in smoke test
 * failed, read back over triggers.probeFailuresMust intervals),
 * dbWriteFailedRuns (the same for the write probe), fiveXxRate (share of
 * answered probe requests that were 5xx), p95Ms (the
 * serving deployment's last 20 successful checks) and baselineP95Ms (the
 * previous deployment's, over its latest serving time). Reads here; the
 * arithmetic is src/rollback/signals/probe-evidence.ts.
 * Fields are left out when the probes had no data for them.
 */
import type { ServiceConfig } from '../config/service-schema';
import {
  P95_SAMPLES,
  type ProbeEvidence,
  type ProbeObservation,
  probeEvidenceOf,
} from '../rollback/signals/probe-evidence';
import type { Db } from '../store/pool';
import type { DeploymentRow } from '../store/queries/deployments';
import {
  type ProbeResult,
  type ProbeResultRow,
  selectDeploymentLatencies,
  selectPreviousDeployment,
  selectProbeWindow,
  selectServingDeployment,
  toProbeResult,
} from '../store/queries/probes';

export type { ProbeEvidence };

/** How many of the previous deployment's samples its baseline is taken from (the latest of its serving time). */
const BASELINE_SAMPLES = 2000;

async function latencies(db: Db, query: ReturnType<typeof selectDeploymentLatencies>): Promise<number[]> {
  return (await db.query<{ latency_ms: number }>(query)).map((row) => row.latency_ms);
}

/** The window [from, to) and, before it, enough earlier runs for triggers.probeFailuresMust consecutive ones. */
function lookbackStart(service: ServiceConfig, from: Date, to: Date): Date {
  const interval = Math.max(0, to.getTime() - from.getTime());
  return new Date(from.getTime() - (service.triggers.probeFailuresMust - 1) * interval);
}

export async function probeEvidence(db: Db, service: ServiceConfig, from: Date, to: Date): Promise<ProbeEvidence> {
  const rows = (
    await db.query<ProbeResultRow>(selectProbeWindow(service.name, lookbackStart(service, from, to), to))
  ).map(toProbeResult);
  const window = rows.filter((r) => r.at.getTime() >= from.getTime());
  const earlier = rows.filter((r) => r.at.getTime() < from.getTime());
  // The deployment the interval's last identified run saw; else the one recorded as serving.
  let deploymentId = [...window].reverse().find((r) => r.deploymentId)?.deploymentId;
  let servedFrom: Date | undefined;
  const [serving] = await db.query<DeploymentRow>(selectServingDeployment(service.name));
  if (!deploymentId) deploymentId = serving?.deployment_id;
  if (serving && serving.deployment_id === deploymentId) servedFrom = serving.served_from ?? undefined;

  let current: number[] = [];
  let previous: number[] = [];
  let seenSince = serving?.served_from ?? undefined;
  if (deploymentId) {
    current = await latencies(db, selectDeploymentLatencies(service.name, deploymentId, to, P95_SAMPLES));
    const [before] = await db.query<DeploymentRow>(
      selectPreviousDeployment(service.name, deploymentId, servedFrom ?? to),
    );
    if (before?.served_from && before.served_until) {
      previous = await latencies(
        db,
        selectDeploymentLatencies(
          service.name,
          before.deployment_id,
          before.served_until,
          BASELINE_SAMPLES,
          before.served_from,
        ),
      );
      if (!seenSince || before.served_from.getTime() < seenSince.getTime()) seenSince = before.served_from;
    }
  }
  const observe = (r: ProbeResult): ProbeObservation => ({
    check: r.check,
    ran: r.ran,
    ok: r.ok,
    signIn: r.signIn,
    status: r.statusCode,
    at: r.at,
    deploymentId: r.deploymentId,
  });
  return probeEvidenceOf({
    window: window.map(observe),
    earlier: earlier.map(observe),
    ...(seenSince ? { deploymentSeenSince: seenSince } : {}),
    currentLatencies: current,
    previousLatencies: previous,
  });
}

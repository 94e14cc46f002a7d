/**
 * What the scheduled probes measured for one service over one evaluation
 * interval, as the part of the trigger rules' sample that probes can answer:
 * authBroken (sign-in smoke test), dbWritesFailing (write probe), fiveXxRate
 * (share of probe requests answered 5xx), p95Ms and baselineP95Ms (this
 * deployment's probe latency against the previous deployment's).
 * Fields are left out when the probes had no data for them.
 */
import type { ServiceConfig } from '../config/service-schema';
import type { IntervalSample } from '../rollback/signals/triggers';
import type { Db } from '../store/pool';

export type ProbeEvidence = Omit<IntervalSample, 'at' | 'otherAlerts' | 'criticalVulnerability'>;

export async function probeEvidence(_db: Db, _service: ServiceConfig, _from: Date, _to: Date): Promise<ProbeEvidence> {
  // Filled by the probes (issue 7): until probes record results there is no evidence, which the rules read as "no data".
  return {};
}

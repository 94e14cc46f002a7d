/**
 * The runbook's "Rollback Metrics" for the drill's incidents, against its
 * targets: detection < 5 min, execution < 5 min, downtime < 15 min, data
 * loss 0. The times come from the bot's store (the incident records and the
 * deployments the bot saw), the archives from the app database's
 * rollback_archive manifest; the arithmetic is the domain's rollbackMetrics.
 */
import type { ArchiveRecord } from './app-database';
import { type ArchiveFact, type IncidentTimes, incidentTimes } from '../rollback/metrics/incident-times';
import { type MetricFigure, type MetricName, figure, rollbackMetrics } from '../rollback/metrics/rollback-metrics';
import type { IncidentStore } from '../rollback/ports/incident-store';

/** The four figures the drill must meet, in the runbook's order. */
export const DRILL_TARGETS: readonly MetricName[] = ['detection_time', 'execution_time', 'downtime', 'data_loss'];

export interface MetricRow {
  readonly title: string;
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
  /** Incidents the figure was computed from. */
  readonly samples: number;
}

/** When the deployment an incident rolled back from started serving, as the bot recorded it. */
async function deployedAt(store: IncidentStore, service: string, incidentId: string): Promise<Date | undefined> {
  const steps = await store.steps(incidentId);
  const from = steps.map((s) => s.input.fromDeploymentId).find((id): id is string => typeof id === 'string');
  if (!from) return undefined;
  const seen = (await store.deployments(service, 100)).find((d) => d.deploymentId === from);
  return seen?.servedFrom ?? seen?.firstSeenAt;
}

export async function incidentTimesFor(store: IncidentStore, ids: readonly string[], archives: readonly ArchiveRecord[]): Promise<IncidentTimes[]> {
  const out: IncidentTimes[] = [];
  for (const id of ids) {
    const record = await store.getIncident(id);
    if (!record) continue;
    const facts: ArchiveFact[] = archives.filter((a) => a.incidentId === id).map((a) => ({ archiveTable: a.archiveTable, rows: a.rows, restored: a.restored }));
    out.push(incidentTimes(record, { deployedAt: await deployedAt(store, record.service, id), archives: facts }));
  }
  return out;
}

export function duration(minutes: number): string {
  const exact = minutes * 60;
  if (exact < 10) return `${exact.toFixed(1)} s`;
  const totalSeconds = Math.round(exact);
  return totalSeconds < 60 ? `${totalSeconds} s` : `${Math.floor(totalSeconds / 60)} min ${totalSeconds % 60} s`;
}

function measuredText(f: MetricFigure): string {
  if (f.value === undefined) return 'no data';
  if (f.unit === 'rows') return `${f.value} row(s)`;
  const worst = duration(f.value);
  return f.samples > 1 && f.mean !== undefined ? `${worst} (worst of ${f.samples}; mean ${duration(f.mean)})` : worst;
}

/** Each target figure over the period; a figure without data fails: the drill exists to measure it. */
export function drillMetricRows(times: IncidentTimes[], from: Date, to: Date): MetricRow[] {
  const metrics = rollbackMetrics(times, { from, to });
  return DRILL_TARGETS.map((name) => {
    const f = figure(metrics, name);
    return { title: f.title, target: f.target, measured: measuredText(f), pass: f.pass === true, samples: f.samples };
  });
}

export function formatMetricsTable(rows: readonly MetricRow[]): string[] {
  const header = ['Metric', 'Target', 'Measured', 'Result'];
  const cells = rows.map((r) => [r.title, r.target, r.measured, r.pass ? 'PASS' : 'FAIL']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (values: string[]): string => `| ${values.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)];
}

/**
 * The drill's closing table: the runbook's "Rollback Metrics" for the drill's
 * incidents as the bot's own `/rollback stats` computes them (the same
 * measureRollbacks over the bot's store), against the targets: detection
 * < 5 min, execution < 5 min, downtime < 15 min, data loss 0. No separate
 * computation: the drill only lays the bot's figures out and checks them
 * against what it observed itself (drill-checks.ts).
 */
import { durationWords } from '../rollback/metrics/incident-times';
import { type MetricFigure, type MetricName, type RollbackMetrics, figure } from '../rollback/metrics/rollback-metrics';

/** The four figures the drill must meet, in the runbook's order. */
export const DRILL_TARGETS: readonly MetricName[] = ['detection_time', 'execution_time', 'downtime', 'data_loss'];

export interface MetricRow {
  readonly name: MetricName;
  readonly title: string;
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
  /** Incidents the figure was computed from. */
  readonly samples: number;
}

/** A figure's value as every surface writes it. */
export function shownValue(f: Pick<MetricFigure, 'unit'>, value: number): string {
  return f.unit === 's' ? durationWords(value * 1000) : `${value} row(s)`;
}

function measuredText(f: MetricFigure): string {
  if (f.value === undefined) return 'no data';
  const worst = shownValue(f, f.value);
  return f.unit === 's' && f.samples > 1 && f.mean !== undefined
    ? `${worst} (worst of ${f.samples}; mean ${shownValue(f, f.mean)})`
    : worst;
}

/** Each target figure of the bot's metrics; a figure without data fails: the drill exists to measure it. */
export function drillMetricRows(metrics: RollbackMetrics): MetricRow[] {
  return DRILL_TARGETS.map((name) => {
    const f = figure(metrics, name);
    return {
      name,
      title: f.title,
      target: f.target,
      measured: measuredText(f),
      pass: f.pass === true,
      samples: f.samples,
    };
  });
}

export function formatMetricsTable(rows: readonly MetricRow[]): string[] {
  const header = ['Metric', 'Target', 'Measured', 'Result'];
  const cells = rows.map((r) => [r.title, r.target, r.measured, r.pass ? 'PASS' : 'FAIL']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (values: string[]): string => `| ${values.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)];
}

/** What every benchmark returns; bench/run.ts writes these rows to bench/RESULTS.md. */
export interface BenchResult {
  /** Which issue's target this measures, e.g. "slash-command ack p99". */
  name: string;
  /** The measured figure, already in `unit`. */
  value: number;
  unit: string;
  /** The target as written in the issue, e.g. "<= 50 ms". */
  target: string;
  pass: boolean;
  /** What it was measured against side by side, with that figure. */
  comparison?: string;
  /** How it was measured (sizes, counts, rates). */
  method: string;
}

export interface Bench {
  name: string;
  run(): Promise<BenchResult[]>;
}

export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

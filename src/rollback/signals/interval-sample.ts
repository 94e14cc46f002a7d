/**
 * Folds the signals firing for a service during an interval into the sample
 * the trigger rules read, on top of what the probes measured. Alerts add
 * evidence; they never turn a probe's measurement into "no data".
 */
import type { Signal } from './signal';
import type { IntervalSample } from './triggers';

/** An auth alert below this failure share is a partial outage: a feature error rate, not "completely broken". */
const AUTH_COMPLETELY_BROKEN = 0.95;

function describe(signal: Signal): string {
  const figure = signal.value === undefined ? '' : ` (${signal.value})`;
  return `${signal.source}: ${signal.summary}${figure}`;
}

export function sampleFromSignals(base: IntervalSample, signals: readonly Signal[]): IntervalSample {
  const sample: IntervalSample = { ...base };
  const featureRates = [...(base.featureErrorRates ?? [])];
  const others = [...(base.otherAlerts ?? [])];
  for (const signal of signals) {
    if (!signal.firing) continue;
    const value = signal.value;
    switch (signal.kind) {
      case 'auth_broken':
        if (value !== undefined && value < AUTH_COMPLETELY_BROKEN)
          featureRates.push({ feature: signal.feature ?? 'sign-in', rate: value });
        else sample.authBroken = true;
        break;
      case 'db_writes_failing':
        sample.dbWritesFailing = true;
        break;
      case 'rate_limit_broken':
        sample.rateLimitBroken = true;
        break;
      case 'security_vulnerability':
        if (signal.severity === 'critical') sample.criticalVulnerability = true;
        else others.push(describe(signal));
        break;
      case 'five_xx_rate':
        if (value === undefined) others.push(describe(signal));
        else sample.fiveXxRate = Math.max(sample.fiveXxRate ?? 0, value);
        break;
      case 'error_rate':
        if (value === undefined) others.push(describe(signal));
        else
          featureRates.push(signal.feature === undefined ? { rate: value } : { feature: signal.feature, rate: value });
        break;
      case 'p95_latency':
        // Alert tools report latency in their own units (often seconds); only the bot's probes are in ms.
        if (value !== undefined && signal.source === 'probe') sample.p95Ms = Math.max(sample.p95Ms ?? 0, value);
        else others.push(describe(signal));
        break;
      case 'other':
        others.push(describe(signal));
        break;
    }
  }
  if (featureRates.length > 0) sample.featureErrorRates = featureRates;
  if (others.length > 0) sample.otherAlerts = others;
  return sample;
}

/**
 * Alertmanager and Grafana both describe an alert as labels plus annotations;
 * this turns one such alert into a signal (or an "unknown service" note).
 */
import { alertValue } from './alert-value';
import { classifyKind, readSeverity } from './classify';
import { matchService } from './match-service';
import type { AlertParse, KnownService, Signal, SignalSource } from './signal';

export interface LabeledAlert {
  firing: boolean;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  fingerprint: string;
  startedAt?: Date;
  /**
   * The figure the rule fired on, when the payload carries one (else a `value` annotation or label, or a rate in the
   * words).
   */
  value?: number;
}

/** Where an alert names the feature: a feature or flag label, then the same annotation, then where it failed. */
const FEATURE_NAMES = ['feature', 'feature_flag', 'flag'] as const;
const PLACE_LABELS = ['route', 'handler', 'endpoint', 'path'] as const;

function featureOf(alert: Pick<LabeledAlert, 'labels' | 'annotations'>): string | undefined {
  const named = [
    ...FEATURE_NAMES.map((k) => alert.labels[k]),
    ...FEATURE_NAMES.map((k) => alert.annotations[k]),
    ...PLACE_LABELS.map((k) => alert.labels[k]),
  ];
  return named.find((v) => v !== undefined && v.trim() !== '')?.trim();
}

function alertSummary(alert: Pick<LabeledAlert, 'labels' | 'annotations'>): string {
  const name = alert.labels.alertname ?? 'alert';
  const detail = alert.annotations.summary ?? alert.annotations.description ?? alert.annotations.message;
  return (detail ? `${name}: ${detail}` : name).replace(/\s+/g, ' ').trim().slice(0, 300);
}

export function toSignals(
  source: SignalSource,
  alerts: readonly LabeledAlert[],
  services: readonly KnownService[],
  at: Date,
): AlertParse {
  const out: AlertParse = { source, signals: [], unmatched: [] };
  for (const alert of alerts) {
    const summary = alertSummary(alert);
    const fingerprint = `${source}:${alert.fingerprint}`;
    const text = [alert.labels.alertname, alert.annotations.summary, alert.annotations.description]
      .filter(Boolean)
      .join('\n');
    const match = matchService(services, alert.labels, text);
    if (!match.service) {
      out.unmatched.push({
        source,
        fingerprint,
        summary,
        ...(match.hint === undefined ? {} : { serviceHint: match.hint }),
      });
      continue;
    }
    const kind = classifyKind(
      alert.labels.alertname,
      alert.labels.kind,
      alert.annotations.summary,
      alert.annotations.description,
    );
    const value = alertValue(kind, {
      ...(alert.value === undefined ? {} : { measured: alert.value }),
      fields: [alert.annotations.value, alert.labels.value],
      texts: [alert.annotations.summary, alert.annotations.description, alert.annotations.message],
    });
    const severity = readSeverity(alert.labels.severity, alert.labels.priority);
    const feature = featureOf(alert);
    const signal: Signal = {
      service: match.service.name,
      kind,
      firing: alert.firing,
      fingerprint,
      source,
      at,
      summary,
    };
    if (value !== undefined) signal.value = value;
    if (alert.startedAt) signal.startedAt = alert.startedAt;
    if (severity) signal.severity = severity;
    if (feature) signal.feature = feature;
    out.signals.push(signal);
  }
  return out;
}

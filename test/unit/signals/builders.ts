/**
 * The example services and runbook triggers the signal tests share, the alert data (AlertSpec) and payload builders
 * for the alert sources' webhooks, following the tools' documented formats: Alertmanager webhook v4 and Grafana's
 * unified-alerting webhook; and a Signal with defaults. The Slack notifications rendered from the same alert data:
 * slack-builders.ts.
 */
import { parseServiceName } from '../../../src/rollback/ids';
import type { TriggerSettings } from '../../../src/config/service-schema';
import type { KnownService, Signal } from '../../../src/rollback/signals';

export const CLINICAL = parseServiceName('dr-amal-clinical-os');
export const SITE = parseServiceName('dr-amal');
export const SERVICES: KnownService[] = [
  { name: CLINICAL, displayName: 'Dr Amal Clinical OS' },
  { name: SITE, displayName: 'Marketing site' },
];

export const RUNBOOK_TRIGGERS: TriggerSettings = {
  fiveXxRateMust: 0.25,
  fiveXxMustForSeconds: 120,
  featureErrorRateShould: 0.1,
  p95DegradationShould: 0.5,
  evaluationIntervalSeconds: 30,
  probeFailuresMust: 2,
};

export const T0 = new Date('2026-01-17T10:00:00Z');
export const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

export interface AlertSpec {
  status?: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  fingerprint?: string;
  values?: Record<string, number>;
}

const ZERO = '0001-01-01T00:00:00Z';

export function common(alerts: AlertSpec[], pick: (a: AlertSpec) => Record<string, string>): Record<string, string> {
  const [first, ...rest] = alerts.map(pick);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first ?? {})) if (rest.every((r) => r[k] === v)) out[k] = v;
  return out;
}

export function groupStatus(alerts: AlertSpec[]): 'firing' | 'resolved' {
  return alerts.some((a) => (a.status ?? 'firing') === 'firing') ? 'firing' : 'resolved';
}

export function groupLabels(alerts: AlertSpec[], groupBy: string[]): Record<string, string> {
  const shared = common(alerts, (a) => a.labels);
  return Object.fromEntries(groupBy.filter((k) => k in shared).map((k) => [k, shared[k] as string]));
}

function groupKey(labels: Record<string, string>): string {
  return `{}:{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ')}}`;
}

export function alertmanagerWebhook(alerts: AlertSpec[], groupBy: string[] = ['alertname']): Record<string, unknown> {
  const grouped = groupLabels(alerts, groupBy);
  return {
    receiver: 'rollback-bot',
    status: groupStatus(alerts),
    alerts: alerts.map((a, i) => ({
      status: a.status ?? 'firing',
      labels: a.labels,
      annotations: a.annotations ?? {},
      startsAt: a.startsAt ?? '2026-01-17T09:58:00.123456789Z',
      endsAt: a.endsAt ?? ZERO,
      generatorURL: 'http://prometheus.internal:9090/graph?g0.expr=job%3A5xx_ratio%3Arate1m+%3E+0.25&g0.tab=1',
      fingerprint: a.fingerprint ?? `a1b2c3d4e5f6000${i}`,
    })),
    groupLabels: grouped,
    commonLabels: common(alerts, (a) => a.labels),
    commonAnnotations: common(alerts, (a) => a.annotations ?? {}),
    externalURL: 'http://alertmanager.internal:9093',
    version: '4',
    groupKey: groupKey(grouped),
    truncatedAlerts: 0,
  };
}

export function grafanaWebhook(alerts: AlertSpec[], groupBy: string[] = ['alertname']): Record<string, unknown> {
  const grouped = groupLabels(alerts, groupBy);
  const status = groupStatus(alerts);
  return {
    receiver: 'rollback-bot',
    status,
    orgId: 1,
    alerts: alerts.map((a, i) => ({
      status: a.status ?? 'firing',
      labels: a.labels,
      annotations: a.annotations ?? {},
      startsAt: a.startsAt ?? '2026-01-17T09:58:00.157076+01:00',
      endsAt: a.endsAt ?? ZERO,
      generatorURL: 'https://grafana.internal/alerting/grafana/abc123/view',
      fingerprint: a.fingerprint ?? `c6eadffa33fcdf3${i}`,
      silenceURL: 'https://grafana.internal/alerting/silence/new',
      dashboardURL: '',
      panelURL: '',
      values: a.values ?? null,
    })),
    groupLabels: grouped,
    commonLabels: common(alerts, (a) => a.labels),
    commonAnnotations: common(alerts, (a) => a.annotations ?? {}),
    externalURL: 'https://grafana.internal/',
    version: '1',
    groupKey: groupKey(grouped),
    truncatedAlerts: 0,
    title: '',
    state: status === 'firing' ? 'alerting' : 'ok',
    message: '',
  };
}

export function signal(overrides: Partial<Signal> = {}): Signal {
  return {
    service: CLINICAL,
    kind: 'five_xx_rate',
    firing: true,
    fingerprint: 'alertmanager:fp1',
    source: 'alertmanager',
    at: T0,
    summary: 'High5xxRate',
    ...overrides,
  };
}

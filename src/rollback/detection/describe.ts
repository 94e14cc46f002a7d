/**
 * The words of a detected trigger, for the incident (issue, trigger), the
 * timeline and the messages: the runbook's level and rule, and where the
 * evidence came from.
 */
import type { Evaluation, TriggerRule, Verdict } from '../signals/triggers';
import type { AlertState } from './alert-state';
import type { TriggerLevel } from './detection-record';

export const RULE_TITLES: Record<TriggerRule, string> = {
  auth_broken: 'auth completely broken',
  db_writes_failing: 'database writes failing',
  five_xx_rate: '5xx error rate',
  security_vulnerability: 'critical security vulnerability',
  feature_error_rate: 'feature error rate',
  p95_latency: 'P95 latency degraded',
  rate_limit_broken: 'rate limiting broken',
  other_alerts: 'alerts for judgement',
};

export const LEVEL_TITLES: Record<TriggerLevel, string> = {
  must: 'MUST roll back',
  should: 'SHOULD roll back',
  may: 'MAY roll back (case by case)',
};

const SOURCE_NAMES: Record<AlertState['source'], string> = {
  alertmanager: 'Alertmanager',
  grafana: 'Grafana',
  datadog: 'Datadog',
  sentry: 'Sentry',
  plain_text: 'a person in the alerts channel',
  probe: 'the bot’s probes',
};

export function verdictWords(verdict: Verdict, rule: TriggerRule | undefined): string {
  if (verdict === 'ok') return 'no trigger fires';
  if (verdict === 'inconclusive') return 'inconclusive (no data)';
  return rule ? `${LEVEL_TITLES[verdict]}: ${RULE_TITLES[rule]}` : LEVEL_TITLES[verdict];
}

/** "Alertmanager, Grafana" for the alerts firing, or "the bot's probes" when no alert is. */
export function sourcesOf(alerts: readonly Pick<AlertState, 'source'>[]): string {
  const names = [...new Set(alerts.map((a) => SOURCE_NAMES[a.source]))];
  return names.length > 0 ? names.join(', ') : SOURCE_NAMES.probe;
}

/** The incident's "Issue" and "Trigger" lines, in the runbook's template words. */
export function incidentWords(evaluation: Pick<Evaluation, 'verdict' | 'rule' | 'reason'>, alerts: readonly Pick<AlertState, 'source'>[]): { issue: string; trigger: string } {
  const title = verdictWords(evaluation.verdict, evaluation.rule);
  return {
    issue: evaluation.reason.length > 500 ? `${evaluation.reason.slice(0, 499)}…` : evaluation.reason,
    trigger: `${title} (detected from ${sourcesOf(alerts)})`,
  };
}

/** First firing notification (detection) and the earliest start a source reported (impact). */
export function episodeTimes(alerts: readonly Pick<AlertState, 'firstSeenAt' | 'startedAt'>[], now: Date): { detectedAt: Date; impactStartedAt?: Date } {
  let detected = now.getTime();
  let started: number | undefined;
  for (const alert of alerts) {
    detected = Math.min(detected, alert.firstSeenAt.getTime());
    const start = alert.startedAt?.getTime();
    if (start !== undefined) started = started === undefined ? start : Math.min(started, start);
  }
  // A start reported later than the first notification is a source's clock skew: the notification bounds it.
  const impact = started === undefined ? undefined : Math.min(started, detected);
  return impact === undefined ? { detectedAt: new Date(detected) } : { detectedAt: new Date(detected), impactStartedAt: new Date(impact) };
}

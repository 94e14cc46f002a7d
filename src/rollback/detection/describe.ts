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

const LEVEL_TITLES: Record<TriggerLevel, string> = {
  must: 'MUST roll back',
  should: 'SHOULD roll back',
  may: 'MAY roll back (case by case)',
};

export const SOURCE_NAMES: Record<AlertState['source'], string> = {
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

/**
 * The incident's "Issue" and "Trigger" lines, in the runbook's template words; `detectedFrom` names the rule's own
 * evidence.
 */
export function incidentWords(
  evaluation: Pick<Evaluation, 'verdict' | 'rule' | 'reason'>,
  detectedFrom: string,
): { issue: string; trigger: string } {
  const title = verdictWords(evaluation.verdict, evaluation.rule);
  return {
    issue: evaluation.reason.length > 500 ? `${evaluation.reason.slice(0, 499)}…` : evaluation.reason,
    trigger: `${title} (detected from ${detectedFrom})`,
  };
}

/**
 * When an episode was detected and when its impact started, from the evidence
 * of the rule that fired, not from every alert firing at the time:
 * - detected: the evaluation at which the rule fired (a 5xx rate must hold
 *   for its time first: the issue is detected once it has), named after the
 *   rule's own evidence: its alerts (Alertmanager's HighHttp5xxRate for the
 *   5xx rule), else the probe that measures it;
 * - impact started: the earliest of the rule's alerts' startsAt, the first
 *   failing probe run after go-live, and go-live itself when the probes failed
 *   from their first run after it (the condition held since then); with none
 *   of these, the alert's first notification.
 */
import type { IncidentEvidence } from '../ports/incident-store';
import type { SignalKind } from '../signals/signal';
import type { TriggerRule } from '../signals/triggers';
import type { AlertState } from './alert-state';
import { SOURCE_NAMES } from './describe';

/** The alert kinds that are evidence for each rule. */
const RULE_KINDS: Record<TriggerRule, readonly SignalKind[]> = {
  auth_broken: ['auth_broken'],
  db_writes_failing: ['db_writes_failing'],
  five_xx_rate: ['five_xx_rate'],
  security_vulnerability: ['security_vulnerability'],
  feature_error_rate: ['error_rate', 'auth_broken'],
  p95_latency: ['p95_latency'],
  rate_limit_broken: ['rate_limit_broken'],
  other_alerts: ['other', 'five_xx_rate', 'error_rate', 'p95_latency', 'security_vulnerability'],
};

/** What the bot's own probes measure for each rule they can fire. */
const PROBE_WORDS: Partial<Record<TriggerRule, string>> = {
  auth_broken: 'the sign-in probe',
  db_writes_failing: 'the database write probe',
  five_xx_rate: 'the bot’s probes (5xx answers)',
  p95_latency: 'the bot’s probes (P95 latency)',
};

/** One probe run of the serving deployment after it went live. */
export interface ProbeRunFact {
  at: Date;
  /** A check that ran failed (production answered wrong or not at all). */
  failing: boolean;
}

interface EpisodeFacts {
  /** The rule that fired; undefined for a person's report. */
  rule?: TriggerRule;
  /** Alerts firing in the episode. */
  alerts: readonly Pick<AlertState, 'source' | 'kind' | 'summary' | 'firstSeenAt' | 'startedAt'>[];
  /** When the deployment serving now went live, as the bot knows it. */
  goLiveAt?: Date;
  /** Probe runs since go-live, any order. */
  probeRuns?: readonly ProbeRunFact[];
  /** The evaluation that fired the rule: the moment of detection. */
  now: Date;
}

export interface EpisodeTimes {
  detectedAt: Date;
  impactStartedAt: Date;
  evidence: IncidentEvidence;
}

/** "Alertmanager HighHttp5xxRate": the source and the alert's name (its summary's first word). */
function alertName(alert: Pick<AlertState, 'source' | 'summary'>): string {
  const name = alert.summary.trim().split(/[\s(:]/)[0] ?? '';
  return name && alert.source !== 'plain_text' && alert.source !== 'probe'
    ? `${SOURCE_NAMES[alert.source]} ${name}`
    : SOURCE_NAMES[alert.source];
}

/** The alerts that are the rule's own evidence. */
function ruleAlerts<A extends Pick<AlertState, 'kind'>>(rule: TriggerRule | undefined, alerts: readonly A[]): A[] {
  if (!rule) return [...alerts];
  const kinds = RULE_KINDS[rule];
  return alerts.filter((a) => kinds.includes(a.kind));
}

/** What the rule fired on, in words: its alerts by name, or the probe that measures it. */
export function detectedFromWords(
  rule: TriggerRule | undefined,
  alerts: readonly Pick<AlertState, 'source' | 'kind' | 'summary'>[],
): string {
  const own = ruleAlerts(rule, alerts);
  if (own.length > 0) return [...new Set(own.map(alertName))].slice(0, 3).join(', ');
  return (rule && PROBE_WORDS[rule]) ?? SOURCE_NAMES.probe;
}

const earliest = (dates: readonly (Date | undefined)[]): Date | undefined =>
  dates.reduce<Date | undefined>((min, d) => (d && (!min || d.getTime() < min.getTime()) ? d : min), undefined);

export function episodeTimes(facts: EpisodeFacts): EpisodeTimes {
  const own = ruleAlerts(facts.rule, facts.alerts);
  const detectedFrom = detectedFromWords(facts.rule, facts.alerts);
  const detectedAt = facts.now;
  const firstNotice = earliest(own.map((a) => a.firstSeenAt));

  const candidates: { at: Date; impact: IncidentEvidence['impact'] }[] = [];
  const startsAt = earliest(own.map((a) => a.startedAt));
  if (startsAt) candidates.push({ at: startsAt, impact: 'alert_starts_at' });
  const goLive = facts.goLiveAt;
  const since = goLive && goLive.getTime() <= detectedAt.getTime() ? goLive.getTime() : -Infinity;
  const runs = (facts.probeRuns ?? [])
    .filter((r) => r.at.getTime() >= since && r.at.getTime() <= detectedAt.getTime())
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  const firstFailing = runs.findIndex((r) => r.failing);
  if (firstFailing === 0 && goLive && since !== -Infinity) candidates.push({ at: goLive, impact: 'go_live' });
  else if (firstFailing >= 0)
    candidates.push({ at: (runs[firstFailing] as ProbeRunFact).at, impact: 'first_failing_probe' });
  if (firstNotice) candidates.push({ at: firstNotice, impact: 'alert_notification' });
  // Earliest evidence wins; on a tie the stronger kind (listed first) does. A start after detection is a source's clock
  // skew.
  const first = candidates.reduce<(typeof candidates)[number] | undefined>(
    (min, c) => (!min || c.at.getTime() < min.at.getTime() ? c : min),
    undefined,
  );
  if (!first) return { detectedAt, impactStartedAt: detectedAt, evidence: { impact: 'detection', detectedFrom } };
  const impactStartedAt = first.at.getTime() > detectedAt.getTime() ? detectedAt : first.at;
  return { detectedAt, impactStartedAt, evidence: { impact: first.impact, detectedFrom } };
}

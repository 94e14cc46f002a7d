/**
 * A signal is one observation about one service's production health, from any
 * source (alert webhook, alerts-channel message, probe). Parsers turn outside
 * formats into signals; the storm window and the trigger rules only ever see this.
 */
import type { ServiceName } from '../ids';

export type SignalKind =
  | 'five_xx_rate'
  | 'error_rate'
  | 'auth_broken'
  | 'db_writes_failing'
  | 'security_vulnerability'
  | 'p95_latency'
  | 'rate_limit_broken'
  | 'other';

export type SignalSource = 'alertmanager' | 'grafana' | 'datadog' | 'sentry' | 'plain_text' | 'probe';

export type Severity = 'critical' | 'high' | 'warning' | 'info';

export interface Signal {
  service: ServiceName;
  kind: SignalKind;
  /** Rates are fractions (0.37 = 37%); latencies are milliseconds; absent when the source gave no figure. */
  value?: number;
  /** False for a "resolved"/"recovered" notification. */
  firing: boolean;
  /** Stable across repeats and the matching resolve of the same alert. */
  fingerprint: string;
  source: SignalSource;
  /** When the bot learned of it (message ts or receipt time), so repeats arrive in order. */
  at: Date;
  /** When the source says the problem began (Alertmanager/Grafana startsAt), for impact start. */
  startedAt?: Date;
  /** One line an operator can read. */
  summary: string;
  severity?: Severity;
  /** The feature or route an error rate is about, when the source names one. */
  feature?: string;
}

/** An alert the parser recognised but could not tie to a configured service (counted, then ignored). */
interface UnmatchedAlert {
  source: SignalSource;
  /** The name the alert used for its service (a `service` label, a prefix), when it had one. */
  serviceHint?: string;
  fingerprint: string;
  summary: string;
}

/** What a parser made of one payload or message; undefined from a parser means "not mine". */
export interface AlertParse {
  source: SignalSource;
  signals: Signal[];
  unmatched: UnmatchedAlert[];
}

/** The fields of a service config the parsers match against. */
export interface KnownService {
  name: ServiceName;
  displayName?: string;
}

/** Signals and the runbook's trigger rules: parsers, the storm window, and evaluate(). */
export * from './signal';
export { parseAlertmanagerWebhook, parseAlertmanagerSlack } from './alertmanager';
export { parseGrafanaWebhook, parseGrafanaSlack } from './grafana';
export { parseDatadogSlack } from './datadog';
export { parseSentrySlack } from './sentry';
export { parsePlainText } from './plain-text';
export { parseAlertMessage } from './parse-message';
export type { SlackMessageLike, SlackAttachment } from './slack-message';
export { SignalWindow, DEFAULT_STORM_WINDOW_MS } from './signal-window';
export type { WindowDecision, WindowAction } from './signal-window';
export { evaluate, INITIAL_TRIGGER_STATE, fiveXxIntervalsNeeded } from './triggers';
export type { Evaluation, Finding, IntervalSample, TriggerRule, TriggerState, Verdict } from './triggers';
export { sampleFromSignals } from './interval-sample';

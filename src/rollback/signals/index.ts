/** Signals and the runbook's trigger rules: parsers, the storm window, and evaluate(). */
export * from './signal';
export { parseAlertmanagerWebhook } from './alertmanager';
export { parseGrafanaWebhook } from './grafana';

export { parseAlertMessage } from './parse-message';
export type { SlackMessageLike } from './slack-message';
export { SignalWindow } from './signal-window';
export type { WindowDecision } from './signal-window';
export { evaluate, INITIAL_TRIGGER_STATE, fiveXxIntervalsNeeded } from './triggers';
export type { Evaluation, IntervalSample } from './triggers';
export { sampleFromSignals } from './interval-sample';

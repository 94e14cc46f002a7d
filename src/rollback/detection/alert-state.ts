/**
 * An alert as the bot last heard it, one per (service, fingerprint), and the
 * fold of many notifications into one: a storm of 10,000 repeats of one alert
 * becomes one state with a count, so the store writes one row, not 10,000.
 * Pure; the store applies the same merge against the stored row.
 */
import type { ServiceName } from '../ids';
import type { Severity, Signal, SignalKind, SignalSource } from '../signals/signal';

/** Alertmanager's default repeat_interval: an alert not repeated for this long is no longer firing. */
export const ALERT_EXPIRY_MS = 4 * 3_600_000;

export interface AlertState {
  service: ServiceName;
  fingerprint: string;
  source: SignalSource;
  kind: SignalKind;
  value?: number;
  firing: boolean;
  severity?: Severity;
  feature?: string;
  summary: string;
  /** First notification of the current firing spell. */
  firstSeenAt: Date;
  lastSeenAt: Date;
  /** When the source says the problem began. */
  startedAt?: Date;
  resolvedAt?: Date;
  /** Firing notifications in the current spell. */
  repeats: number;
}

export function alertKey(service: string, fingerprint: string): string {
  return `${service}\u0000${fingerprint}`;
}

export function stateFromSignal(signal: Signal): AlertState {
  const state: AlertState = {
    service: signal.service,
    fingerprint: signal.fingerprint,
    source: signal.source,
    kind: signal.kind,
    firing: signal.firing,
    summary: signal.summary,
    firstSeenAt: signal.at,
    lastSeenAt: signal.at,
    repeats: signal.firing ? 1 : 0,
  };
  if (signal.value !== undefined) state.value = signal.value;
  if (signal.severity !== undefined) state.severity = signal.severity;
  if (signal.feature !== undefined) state.feature = signal.feature;
  if (signal.firing && signal.startedAt) state.startedAt = signal.startedAt;
  if (!signal.firing) state.resolvedAt = signal.at;
  return state;
}

const earlier = (a: Date | undefined, b: Date | undefined): Date | undefined => {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() <= b.getTime() ? a : b;
};

/**
 * Folds one more notification into a pending state. The newest notification
 * (by the time it carries) decides firing, kind and value; an older one that
 * arrives late only adds to the count. A figure or label the newer one lacks
 * is kept from before.
 */
export function foldSignal(state: AlertState, signal: Signal): AlertState {
  const next: AlertState = { ...state };
  if (signal.at.getTime() >= state.lastSeenAt.getTime()) {
    next.source = signal.source;
    next.kind = signal.kind;
    next.firing = signal.firing;
    next.summary = signal.summary;
    next.lastSeenAt = signal.at;
    if (signal.value !== undefined) next.value = signal.value;
    if (signal.severity !== undefined) next.severity = signal.severity;
    if (signal.feature !== undefined) next.feature = signal.feature;
    if (signal.firing) delete next.resolvedAt;
    else next.resolvedAt = signal.at;
  }
  next.firstSeenAt = earlier(state.firstSeenAt, signal.at) as Date;
  if (signal.firing) {
    next.repeats += 1;
    const started = earlier(state.startedAt, signal.startedAt);
    if (started) next.startedAt = started;
  }
  return next;
}

/** What the trigger rules read: a firing alert as a signal. */
export function signalOf(state: AlertState): Signal {
  const signal: Signal = {
    service: state.service,
    kind: state.kind,
    firing: state.firing,
    fingerprint: state.fingerprint,
    source: state.source,
    at: state.lastSeenAt,
    summary: state.summary,
  };
  if (state.value !== undefined) signal.value = state.value;
  if (state.startedAt) signal.startedAt = state.startedAt;
  if (state.severity) signal.severity = state.severity;
  if (state.feature) signal.feature = state.feature;
  return signal;
}

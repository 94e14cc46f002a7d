/**
 * Shared wording: how a target, an action, a service and an incident are
 * named in every message, so the thread reads consistently. All results are
 * escaped mrkdwn.
 */
import type { RollbackKind } from '../../rollback/incident/plan';
import type { StepState } from '../../rollback/incident/step-state';
import { escapeMrkdwn, link, oneLine, truncate } from './text';
import type { IncidentRef, ServiceRef, TargetRef } from './view-models';

const short = (commit: string): string => escapeMrkdwn(oneLine(commit).slice(0, 7));
const piece = (text: string, max = 80): string => escapeMrkdwn(truncate(oneLine(text), max));

/** "1.9.0 (commit b7920c6)", "commit b7920c6", "dpl_abc (commit b7920c6)", or the last known good. */
export function describeTarget(target: TargetRef): string {
  const name = target.version ? piece(target.version) : target.deploymentId ? piece(target.deploymentId) : undefined;
  if (name && target.commit) return `${name} (commit ${short(target.commit)})`;
  if (name) return name;
  if (target.commit) return `commit ${short(target.commit)}`;
  if (target.migration) return `before migration ${piece(target.migration, 255)}`;
  return 'the last known good version';
}

/** The runbook's "Action" line, e.g. "Rolling back to 1.9.0 (commit b7920c6)". */
export function describeAction(kind: RollbackKind, target: TargetRef): string {
  switch (kind) {
    case 'application':
      return `Rolling back to ${describeTarget(target)}`;
    case 'revert':
      return `Reverting to ${describeTarget(target)} with git revert (Option A)`;
    case 'reset':
      return `Resetting the deploy branch to ${describeTarget(target)} (git Option B)`;
    case 'schema':
      return `Rolling back migration ${target.migration ? piece(target.migration, 255) : '(not named)'}`;
  }
}

export const KIND_NAMES: Record<RollbackKind, string> = {
  application: 'an application rollback',
  revert: 'a git revert (Option A)',
  reset: 'a git reset (Option B)',
  schema: 'a schema rollback',
};

/** "Dr Amal Clinical OS (dr-amal)" or just the name. */
export function describeService(service: ServiceRef): string {
  const name = piece(service.name, 63);
  return service.displayName && service.displayName !== service.name ? `${piece(service.displayName)} (${name})` : name;
}

/** The incident id, linked when it has a URL. */
export function describeIncident(incident: IncidentRef): string {
  return link(incident.url, truncate(oneLine(incident.id), 80));
}

export const STEP_EMOJI: Record<StepState, string> = {
  pending: '⚪',
  awaiting_approval: '✋',
  approved: '👍',
  running: '🔄',
  succeeded: '✅',
  failed: '❌',
  unknown: '❓',
  cancelled: '🚫',
};

export const STEP_STATE_WORDS: Record<StepState, string> = {
  pending: 'waiting',
  awaiting_approval: 'awaiting CTO approval',
  approved: 'approved, about to start',
  running: 'running',
  succeeded: 'done',
  failed: 'failed',
  unknown: 'outcome unknown',
  cancelled: 'cancelled',
};

/** The "Unavailable until set" field of a service (status, App Home); none when nothing is missing. */
export function unavailableField(lines: readonly string[] | undefined): (readonly [string, string])[] {
  return lines?.length ? [['Unavailable until set', lines.map((line) => `⚠️ ${escapeMrkdwn(line)}`).join('\n')]] : [];
}

/**
 * Storm handling. Alert tools repeat themselves: every group_interval, every
 * channel, every replica of a check. The window folds a service's signals into
 * one group while they keep arriving (each signal extends it), so a storm of
 * thousands of messages opens one incident and posts a handful of updates.
 * Pure and in memory: one entry per service, one per distinct fingerprint.
 */
import type { ServiceName } from '../ids';
import type { Signal } from './signal';

const DEFAULT_STORM_WINDOW_MS = 10 * 60_000;
/** Progress posts at 10, 100, 1,000… signals: a storm of 10,000 says so four times, not 10,000. */
const COUNT_MILESTONE_BASE = 10;
/** New distinct alerts in a group are posted up to this many; the rest only count. */
const MAX_NEW_ALERT_POSTS = 3;

type WindowAction = 'open' | 'join' | 'resolve' | 'ignore';

export interface WindowDecision {
  action: WindowAction;
  service: ServiceName;
  /** Identifies the group (one per would-be incident); absent for "ignore". */
  groupId?: string;
  /** Signals seen by the group so far, this one included. */
  count: number;
  /** Alerts in the group still firing after this signal. */
  firing: number;
  /** Worth a Slack post: the open, the resolve, the first few new alerts, a refire, and count milestones. */
  post: boolean;
  /** Why, in a few words, for the timeline. */
  note: string;
}

interface Group {
  id: string;
  service: ServiceName;
  lastAt: number;
  count: number;
  firing: Set<string>;
  seen: Set<string>;
  newAlertPosts: number;
  resolved: boolean;
}

function isMilestone(count: number): boolean {
  if (count < COUNT_MILESTONE_BASE) return false;
  let n = count;
  while (n % COUNT_MILESTONE_BASE === 0) n /= COUNT_MILESTONE_BASE;
  return n === 1;
}

export class SignalWindow {
  private readonly groups = new Map<ServiceName, Group>();
  private sequence = 0;

  constructor(private readonly windowMs: number = DEFAULT_STORM_WINDOW_MS) {}

  /** Feed signals in the order they arrived; each gets its decision at once. */
  observe(signal: Signal): WindowDecision {
    const existing = this.groups.get(signal.service);
    // A clock that steps back (two sources, skewed) must not reopen or expire anything.
    const at = Math.max(signal.at.getTime(), existing?.lastAt ?? Number.NEGATIVE_INFINITY);
    const live = existing && at - existing.lastAt <= this.windowMs ? existing : undefined;
    if (existing && !live) this.groups.delete(signal.service);

    if (!signal.firing) return this.resolve(live, signal, at);
    if (!live) return this.open(signal, at);

    live.lastAt = at;
    live.count += 1;
    const isNew = !live.seen.has(signal.fingerprint);
    live.seen.add(signal.fingerprint);
    live.firing.add(signal.fingerprint);
    const refired = live.resolved;
    live.resolved = false;
    const postNew = isNew && live.newAlertPosts < MAX_NEW_ALERT_POSTS;
    if (postNew) live.newAlertPosts += 1;
    const note = refired ? 'fired again after resolving' : isNew ? 'another alert for the same service' : 'repeat';
    return this.decision('join', live, refired || postNew || isMilestone(live.count), note);
  }

  /** Forget a service's group, e.g. once its incident is closed, so the next signal opens afresh. */
  close(service: ServiceName): void {
    this.groups.delete(service);
  }

  /** Groups still inside their window at `now` (for App Home and tests). */
  openGroups(
    now: Date,
  ): Array<{ service: ServiceName; groupId: string; count: number; firing: number; resolved: boolean }> {
    return [...this.groups.values()]
      .filter((g) => now.getTime() - g.lastAt <= this.windowMs)
      .map((g) => ({ service: g.service, groupId: g.id, count: g.count, firing: g.firing.size, resolved: g.resolved }));
  }

  private open(signal: Signal, at: number): WindowDecision {
    this.sequence += 1;
    const group: Group = {
      id: `${signal.service}#${this.sequence}`,
      service: signal.service,
      lastAt: at,
      count: 1,
      firing: new Set([signal.fingerprint]),
      seen: new Set([signal.fingerprint]),
      newAlertPosts: 0,
      resolved: false,
    };
    this.groups.set(signal.service, group);
    return this.decision('open', group, true, 'new incident');
  }

  private resolve(group: Group | undefined, signal: Signal, at: number): WindowDecision {
    if (!group || !group.firing.has(signal.fingerprint)) {
      if (group) {
        group.lastAt = at;
        group.count += 1;
      }
      return {
        action: 'ignore',
        service: signal.service,
        count: group?.count ?? 0,
        firing: group?.firing.size ?? 0,
        post: false,
        note: 'resolve for an alert that is not firing',
      };
    }
    group.lastAt = at;
    group.count += 1;
    group.firing.delete(signal.fingerprint);
    if (group.firing.size > 0) return this.decision('join', group, false, 'one alert resolved, others still firing');
    // Kept for one more window so a flapping alert rejoins this group instead of opening another.
    group.resolved = true;
    return this.decision('resolve', group, true, 'every alert in the group resolved');
  }

  private decision(action: WindowAction, group: Group, post: boolean, note: string): WindowDecision {
    return {
      action,
      service: group.service,
      groupId: group.id,
      count: group.count,
      firing: group.firing.size,
      post,
      note,
    };
  }
}

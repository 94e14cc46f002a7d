/**
 * Everything the incident engine works with, as ports. main.ts wires the
 * adapters; tests wire fakes or the same adapters against stand-ins.
 */
import type { ServiceConfig } from '../../config/service-schema';
import type { Logger } from '../../logger';
import type { Clock, Stopwatch } from '../clock';
import type { IdGenerator } from '../id-generator';
import type { ApplicationPort } from '../ports/application';
import type { CodeRollbackPort } from '../ports/code';
import type { EngineStore, IncidentStore } from '../ports/incident-store';
import type { SchemaPort } from '../ports/schema';
import type { FlagNotice, FlagPort } from '../ports/flags';
import type { LiveReleases } from '../ports/releases';
import type { ResolvedRoles } from './authority';

/** Slack user groups expanded to user ids, per service (cached by the adapter). */
export interface RoleDirectory {
  resolve(service: ServiceConfig): Promise<ResolvedRoles>;
}

/**
 * Renders an incident's messages from what the store holds (root, progress,
 * approvals, outcome, drafts) and hands them to the notifier. Idempotent: it can
 * be called after every change, by any replica.
 */
export interface Announcer {
  announce(incidentId: string): Promise<void>;
  /** The runbook's "after-hours: notify CTO asynchronously". */
  notifyCto(incidentId: string, ctoUserIds: readonly string[], executedBy: string): Promise<void>;
  /** A feature flag switched: told in the incident's thread (or the alerts channel), and to the CTOs named. */
  flagSwitched(notice: FlagNotice): Promise<void>;
}

export interface EngineDeps {
  services: readonly ServiceConfig[];
  store: IncidentStore;
  announcer: Announcer;
  roles: RoleDirectory;
  application: ApplicationPort;
  code: CodeRollbackPort;
  schema: SchemaPort;
  /** The progressive releases under way (the bot's own records): a rollback with no target goes to the base. */
  liveReleases: LiveReleases;
  /** The feature-flag kill switch; undefined where the deployment wires none. */
  flags?: FlagPort;
  clock: Clock;
  /** The lease a worker holds is timed on it, not on the clock (which tests and the drill move). */
  stopwatch: Stopwatch;
  /** Makes the incidents' ids. */
  ids: IdGenerator;
  logger: Logger;
  /** The environment, for the app databases' URLs named by database.urlEnv. */
  env: Readonly<Record<string, string | undefined>>;
  /** Asks the runner to look for runnable steps now (instead of at its next tick). */
  wake(): void;
  /** Identifies this replica in claimed_by and the timeline. */
  workerId: string;
  /**
   * Brings the facts the metrics read from outside the bot's store up to date
   * (restore-archive's manifest in the app databases), before a figure is shown.
   */
  refreshMetricsFacts?: () => Promise<void>;
  /**
   * How long a running step's lease lasts without a heartbeat (default 15 s); another worker reconciles it only after.
   */
  stepLeaseMs?: number;
}

/**
 * What the incident engine's functions take: the same deps with the store
 * narrowed to the roles the engine uses, so the in-memory fakes of those roles
 * (test/support/memory-store) run it without a database. EngineDeps fits it.
 */
export interface IncidentEngineDeps extends Omit<EngineDeps, 'store'> {
  store: EngineStore;
}

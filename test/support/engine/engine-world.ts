/**
 * The incident engine with every port faked in memory: the store roles
 * (test/support/memory-store), Vercel, git, the schema worker, Slack's roles
 * and the announcer, a clock that moves only when told, and counted ids. The
 * engine's decisions run in milliseconds, and no database is reachable.
 */
import type { ServiceConfig } from '../../../src/config/service-schema';
import { silentLogger } from '../../../src/logger';
import { ManualClock } from '../../../src/rollback/clock';
import { type IdGenerator, incidentIdOn } from '../../../src/rollback/id-generator';
import type { SlackUserId } from '../../../src/rollback/ids';
import type { FlagNotice } from '../../../src/rollback/ports/flags';
import type { ReleaseUnderWay } from '../../../src/rollback/last-known-good/rollback-target';
import type { ResolvedRoles } from '../../../src/rollback/incident/authority';
import type { Announcer, IncidentEngineDeps, RoleDirectory } from '../../../src/rollback/incident/engine-deps';
import { runStep } from '../../../src/rollback/incident/run-steps';
import { type MemoryStore, createMemoryStore } from '../memory-store';
import { exampleService } from '../services';
import { FakeApplication } from './fake-application';
import { FakeCode, FakeSchema } from './fake-code-and-schema';

// No test database for these tests: a helper that would make one (test/support/database.ts) fails.
delete process.env.TEST_DATABASE_URL;

export const SERVICE = 'dr-amal-clinical-os';
/** People of the example service: its roles, one user group expanded, and someone with no role. */
export const PEOPLE = {
  devopsLead: 'U0DEVOPS1',
  dba: 'U0DBADMIN',
  cto: 'U0CTO0001',
  onCall: 'U0ONCALL1',
  stranger: 'U0NOBODY1',
} as const satisfies Record<string, string>;
export const as = (user: string): SlackUserId => user as SlackUserId;

/** Tuesday 10:00 in New York: working hours. */
const WORKING_HOURS = '2026-01-20T15:00:00Z';
/** Monday 22:00 in New York: after hours. */
export const AFTER_HOURS = '2026-01-20T03:00:00Z';

const GROUPS: Record<string, string[]> = { S0ONCALL1: [PEOPLE.onCall] };

function resolveRoles(service: ServiceConfig): ResolvedRoles {
  const expand = (ids: readonly string[]): SlackUserId[] => ids.flatMap((id) => GROUPS[id] ?? [id]).map(as);
  return {
    devopsLead: expand(service.roles.devopsLead),
    dba: expand(service.roles.dba),
    cto: expand(service.roles.cto),
    onCall: expand(service.roles.onCall),
  };
}

/** INC-<day>-0001, -0002...: ids a test can name. */
function countingIds(): IdGenerator {
  let n = 0;
  return { incidentId: (at) => incidentIdOn(at, String((n += 1)).padStart(4, '0')) };
}

export interface EngineWorld {
  readonly deps: IncidentEngineDeps;
  readonly store: MemoryStore;
  readonly clock: ManualClock;
  readonly service: ServiceConfig;
  readonly application: FakeApplication;
  readonly code: FakeCode;
  readonly schema: FakeSchema;
  /** The releases under way, by service, as the bot's release store would read them. */
  readonly releases: Map<string, ReleaseUnderWay>;
  /** Incident ids in the order they were announced. */
  readonly announced: string[];
  readonly ctoNotices: { incidentId: string; ctoUserIds: readonly string[]; executedBy: string }[];
  /** Feature flags switched, as the thread would tell them. */
  readonly flagNotices: FlagNotice[];
  /** How often the engine asked the runner to look for work. */
  wakes(): number;
  /** Timeline kinds of an incident, in order. */
  kinds(incidentId: string): Promise<string[]>;
}

interface EngineWorldOptions {
  at?: string;
  service?: Record<string, unknown>;
  env?: Record<string, string>;
  stepLeaseMs?: number;
  workerId?: string;
}

export function engineWorld(options: EngineWorldOptions = {}): EngineWorld {
  const clock = new ManualClock(options.at ?? WORKING_HOURS);
  const service = exampleService({ ...options.service });
  const store = createMemoryStore({ clock, services: [service.name] });
  const announced: string[] = [];
  const ctoNotices: EngineWorld['ctoNotices'] = [];
  const flagNotices: FlagNotice[] = [];
  const announcer: Announcer = {
    announce: async (incidentId) => void announced.push(incidentId),
    notifyCto: async (incidentId, ctoUserIds, executedBy) =>
      void ctoNotices.push({ incidentId, ctoUserIds, executedBy }),
    flagSwitched: async (notice) => void flagNotices.push(notice),
  };
  const roles: RoleDirectory = { resolve: async (s) => resolveRoles(s) };
  const application = new FakeApplication(clock);
  const code = new FakeCode();
  const schema = new FakeSchema();
  const releases = new Map<string, ReleaseUnderWay>();
  let wakes = 0;
  const deps: IncidentEngineDeps = {
    services: [service],
    store,
    announcer,
    roles,
    application,
    code,
    schema,
    liveReleases: { live: async (name) => releases.get(name) },
    clock,
    stopwatch: clock,
    ids: countingIds(),
    logger: silentLogger,
    env: { DR_AMAL_DATABASE_URL: 'postgres://app@db.invalid/app', ...options.env },
    wake: () => void (wakes += 1),
    workerId: options.workerId ?? 'worker-1',
    stepLeaseMs: options.stepLeaseMs,
  };
  return {
    deps,
    store,
    clock,
    service,
    application,
    code,
    schema,
    releases,
    announced,
    ctoNotices,
    flagNotices,
    wakes: () => wakes,
    kinds: async (incidentId) => (await store.timeline(incidentId)).map((t) => t.kind),
  };
}

/** Runs what is runnable, one step at a time, until nothing is: the runner's work without its timers. */
export async function runAll(deps: IncidentEngineDeps): Promise<number> {
  let ran = 0;
  for (;;) {
    const [step] = await deps.store.claimRunnable(deps.workerId, 1);
    if (!step) return ran;
    if (!(await runStep(deps, step))) return ran;
    ran += 1;
    if (ran > 20) throw new Error('the plan did not finish in 20 steps');
  }
}

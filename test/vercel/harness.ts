/** A Vercel stand-in plus the adapter wired to it, on a manual clock that fake sleeps move. */
import { silentLogger } from '../../src/logger';
import { ManualClock } from '../../src/rollback/clock';
import type { ServiceConfig } from '../../src/config/service-schema';
import { type VercelStandin, type VercelStandinOptions, startVercelStandin } from '../../src/standins/vercel/server';
import type { StandinDeployment } from '../../src/standins/vercel/state';
import { VercelApplication, type VercelApplicationOptions } from '../../src/vercel/vercel-application';
import { exampleService } from '../support/services';

export const TEAM = 'team_dramal';
export const PROJECT = 'dr-amal-clinical-os';
const SMOKE = { email: 'test@example.com', password: 'smoke-secret-123' };

/** A 40-character sha that starts with the short one given. */
export const sha = (short: string): string => short.padEnd(40, '0');

export interface Harness {
  readonly clock: ManualClock;
  readonly standin: VercelStandin;
  readonly service: ServiceConfig;
  readonly app: VercelApplication;
  /** Every wait the adapter asked for, in ms. */
  readonly sleeps: number[];
  stop(): Promise<void>;
}

interface HarnessOptions {
  readonly standin?: VercelStandinOptions;
  readonly vercel?: Record<string, unknown>;
  readonly production?: Record<string, unknown>;
  readonly app?: Partial<VercelApplicationOptions>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = new ManualClock('2026-01-17T10:00:00Z');
  const standin = await startVercelStandin({
    teamId: TEAM,
    projectName: PROJECT,
    clock,
    appSleep: () => Promise.resolve(),
    smokeCredentials: SMOKE,
    ...options.standin,
  });
  const sleeps: number[] = [];
  const sleep = (ms: number): Promise<void> => {
    sleeps.push(ms);
    clock.advance(ms);
    return Promise.resolve();
  };
  const service = exampleService({
    vercel: { projectId: PROJECT, teamId: TEAM, aliasDeadlineSeconds: 10, ...options.vercel },
    production: { url: standin.appUrl, verifyDeadlineSeconds: 5, ...options.production },
  });
  const app = new VercelApplication({
    token: standin.token,
    apiUrl: standin.url,
    logger: silentLogger,
    clock,
    sleep,
    random: () => 0.5,
    deploymentOrigin: standin.deploymentOrigin,
    env: { SMOKE_TEST_PASSWORD: SMOKE.password },
    ...options.app,
  });
  return { clock, standin, service, app, sleeps, stop: () => standin.stop() };
}

export interface History {
  readonly v150: StandinDeployment;
  readonly v190: StandinDeployment;
  readonly preview: StandinDeployment;
  readonly current: StandinDeployment;
}

/** The runbook's history: 1.5.0 (05e5fc2), 1.9.0 (b7920c6), a preview, then 2.0.0-beta (b90de38) live. */
export function seedHistory(h: Harness): History {
  const state = h.standin.state;
  const v150 = state.addDeployment({ version: '1.5.0', commit: sha('05e5fc2'), live: true });
  h.clock.advance(60_000);
  const v190 = state.addDeployment({ version: '1.9.0', commit: sha('b7920c6'), live: true });
  h.clock.advance(60_000);
  const preview = state.addDeployment({ target: null, version: '2.1.0-rc', commit: sha('c0ffee1') });
  h.clock.advance(60_000);
  const current = state.addDeployment({ version: '2.0.0-beta', commit: sha('b90de38'), live: true, creator: 'yusuf' });
  h.clock.advance(60_000);
  return { v150, v190, preview, current };
}

/** A harness with the runbook's history for each test of the suite: `world.h`, `world.history`. */
export function useSeededHarness(options: HarnessOptions = {}): { h: Harness; history: History } {
  const world = {} as { h: Harness; history: History };
  beforeEach(async () => {
    world.h = await startHarness(options);
    world.history = seedHistory(world.h);
  });
  afterEach(() => world.h.stop());
  return world;
}

/**
 * The scratch app's service as the drill configures the bot for it: the team,
 * channel, committer and smoke-test account the drill's world is built on,
 * and the services-file entry (triggers tuned to where the bot should detect
 * the bad deployment from).
 */
import { randomBytes } from 'node:crypto';
import type { VercelStandin } from '../standins/vercel/server';
import { ON_CALL_GROUP, PEOPLE } from './people';
import { MIGRATIONS_DIR, SERVICE_NAME } from './scratch-app';
import type { ScratchRepo } from './scratch-repo';

/**
 * Where the bot should detect the bad deployment from: #prod-alerts (Alertmanager), or its own probes alone with the
 * alert source silent.
 */
export type DetectMode = 'alerts' | 'probes';

export const ALERTS_CHANNEL = { id: 'C0PRODALRT', name: 'prod-alerts' };
export const TEAM_ID = 'team_dramal';
export const APP_DATABASE_ENV = 'DR_AMAL_DATABASE_URL';
/** The bot's git identity: a member of the Vercel team, so Vercel deploys its commits (a preflight check). */
export const COMMITTER = { name: 'rollback-bot', email: 'rollback-bot@dr-amal.test' };
/** The staging deployment's host on the Vercel stand-in. */
export const STAGING_HOST = `${SERVICE_NAME}-staging.vercel.app`;
export const SMOKE = { email: 'smoke-test@dr-amal.test', password: randomBytes(9).toString('base64url') };

/**
 * Detecting from #prod-alerts, the sign-in rule waits for 8 failed probe runs
 * in a row (40 s), so Alertmanager's 5xx alert is what fires first and the
 * step rehearses the alerts path; with the alerts silent, the default 2 runs.
 */
const PROBE_FAILURES_MUST: Record<DetectMode, number> = { alerts: 8, probes: 2 };

export function serviceRaw(vercel: VercelStandin, repo: ScratchRepo, detect: DetectMode): Record<string, unknown> {
  return {
    name: SERVICE_NAME,
    displayName: 'Dr Amal Clinical OS',
    vercel: {
      projectId: SERVICE_NAME,
      teamId: TEAM_ID,
      rollbackMethod: 'promote',
      deploysOnPush: true,
      aliasDeadlineSeconds: 30,
      buildDeadlineSeconds: 60,
    },
    production: {
      url: vercel.appUrl,
      healthPath: '/api/health',
      versionPath: '/api/version',
      verifyDeadlineSeconds: 20,
      smokeTests: [
        {
          name: 'sign-in',
          method: 'POST',
          path: '/api/auth/signin',
          headers: { 'Content-Type': 'application/json' },
          body: { email: SMOKE.email, password: '${SMOKE_TEST_PASSWORD}' },
          expectStatus: [200],
        },
      ],
    },
    git: { remote: repo.origin, branch: repo.branch, committer: COMMITTER },
    database: { urlEnv: APP_DATABASE_ENV, migrationsDir: MIGRATIONS_DIR },
    slack: { alertsChannel: ALERTS_CHANNEL.id },
    // The CTO is also a DevOps lead: a release is started by a DevOps lead, and only the CTO overrides its gates.
    roles: {
      devopsLead: [PEOPLE.devopsLead.id, PEOPLE.cto.id],
      dba: [PEOPLE.dba.id],
      cto: [PEOPLE.cto.id],
      onCall: [ON_CALL_GROUP.id],
    },
    workingHours: {
      timeZone: 'America/New_York',
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      start: '09:00',
      end: '18:00',
    },
    autopilot: true,
    // Staging runs each candidate's commit on its own host before /rollout (the candidate's smoke gate).
    rollout: { stagingUrl: vercel.deploymentOrigin(STAGING_HOST) },
    triggers: {
      evaluationIntervalSeconds: 5,
      fiveXxMustForSeconds: 10,
      probeFailuresMust: PROBE_FAILURES_MUST[detect],
    },
  };
}

/**
 * What the alert-ingest benchmark sends and runs: the alert messages (the tools'
 * real Slack formats, from the tests' builders) as signed Events API bodies, the
 * bot as its own process (`rollback-bot start`), a bare Bolt app beside it, and
 * the resident-memory sampling of a process.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { SlackMessageLike } from '../src/rollback/signals';
import type { SlackStandin } from '../src/standins/slack/server';
import { freePort } from '../src/store/embedded';
import { exampleServiceRaw, servicesYaml } from '../test/support/services';
import {
  alertmanagerSlack,
  datadogSlack,
  grafanaSlack,
  personSays,
  sentryMetricSlack,
} from '../test/unit/signals/slack-builders';
import { benchDatabase, residentMb, spawnUntil, stopChild } from './support';

export const CONCURRENCY = 32;
export const STORM = 10_000;
const SERVICE = 'dr-amal-clinical-os';
export const CHANNEL = 'C0PRODALRT';
export const SECRET = 'bench-signing-secret';
export const TOKEN = 'xoxb-bench';
const ROOT = join(__dirname, '..');

/** A realistic mix: 40 distinct alerts from every source, repeated the way alert tools repeat. */
export function mixedMessage(i: number, at: Date): SlackMessageLike {
  const n = i % 40;
  switch (i % 5) {
    case 0:
      return alertmanagerSlack(
        [{ labels: { alertname: `HighHttp5xxRate${n}`, service: SERVICE, severity: 'critical' } }],
        at,
      );
    case 1:
      return grafanaSlack(
        [
          {
            labels: { alertname: `CheckoutErrors${n}`, service: SERVICE, feature: 'checkout' },
            annotations: { summary: 'checkout error rate' },
            values: { B: 0.12, C: 1 },
          },
        ],
        at,
      );
    case 2:
      return datadogSlack(
        'Triggered',
        `[P2] Slow responses ${n} on dr-amal-clinical-os`,
        'p95 latency above 2s for service:dr-amal-clinical-os env:production',
        at,
      );
    case 3:
      return sentryMetricSlack(
        'Warning',
        `Notes failure rate ${n} dr-amal-clinical-os`,
        '12% failure rate in the last 10 minutes\nProject: dr-amal-clinical-os',
        at,
      );
    default:
      return personSays(`dr-amal-clinical-os: exports ${n} are failing for some users`, at);
  }
}

export const AUTH_DOWN = {
  labels: { alertname: 'AuthDown', service: SERVICE, severity: 'critical' },
  annotations: { summary: 'Users cannot sign in' },
};

export function eventBodies(messages: SlackMessageLike[], tag: string): string[] {
  return messages.map((message, i) =>
    JSON.stringify({
      token: 'deprecated',
      team_id: 'T0STANDIN',
      api_app_id: 'A0ROLLBACK',
      type: 'event_callback',
      event_id: `Ev${tag}${i}`,
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'message', channel: CHANNEL, ...message },
    }),
  );
}

export async function poll<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${what}: not reached within ${timeoutMs} ms (last ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const storedCount = async (db: Client): Promise<number> =>
  (await db.query<{ n: number | null }>('SELECT sum(repeats)::int AS n FROM alert_states')).rows[0]?.n ?? 0;

export const SETTLE_S = 30;

/** Peak VmRSS growth of a process while `work` runs, and the growth left SETTLE_S seconds later. */
export async function rssDuring(pid: number, work: () => Promise<void>): Promise<{ peak: number; settled: number }> {
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const before = residentMb(pid);
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, residentMb(pid));
  }, 100);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, residentMb(pid));
  await new Promise((resolve) => setTimeout(resolve, SETTLE_S * 1000));
  return { peak: peak - before, settled: residentMb(pid) - before };
}

/** `rollback-bot start` against the Slack stand-in and a fresh database, as an operator would run it. */
export async function startBotProcess(slack: SlackStandin, dir: string, label: string) {
  const database = await benchDatabase(label);
  const config = join(dir, `${label}.yaml`);
  writeFileSync(config, servicesYaml([exampleServiceRaw({ production: { url: 'http://127.0.0.1:9' } })]));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    DATABASE_URL: database.url,
    ROLLBACK_CONFIG: config,
    ROLLBACK_DATA_DIR: join(dir, label),
    LOG_LEVEL: 'info',
    PORT: String(port),
    DR_AMAL_GIT_TOKEN: 'bench-git-token',
    WEBHOOK_SECRET: 'bench-webhook-secret',
  };
  const { child } = await spawnUntil(
    process.execPath,
    [join(ROOT, 'dist/cli.js'), 'start'],
    env,
    /rollback-bot is ready/,
  );
  const db = new Client({ connectionString: database.url });
  await db.connect();
  return {
    child,
    db,
    url: `http://127.0.0.1:${port}/slack/events`,
    stop: async () => {
      await stopChild(child);
      await db.end();
      await database.drop();
    },
  };
}

/** A bare Bolt app whose message listener only counts, on `port`, against the Slack stand-in. */
export function startBareBolt(slack: SlackStandin, port: number) {
  return spawnUntil(
    process.execPath,
    [join(__dirname, 'bare-bolt-app.js')],
    {
      PATH: process.env.PATH,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_API_URL: slack.apiUrl,
      PORT: String(port),
    },
    /bare bolt ready/,
  );
}

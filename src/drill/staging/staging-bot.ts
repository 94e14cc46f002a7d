/**
 * The bot the staging drill talks to: started here with the service's real
 * adapters (Vercel with VERCEL_TOKEN, git, the schema worker), its own store
 * in a scratch database, and the Slack stand-in in place of the workspace, so
 * the drill can act as the service's DevOps lead with signed requests. Its
 * schedules stay off (no probes, no detection: the drill is the only signal)
 * and autopilot is off in its copy of the services file.
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import type { ServiceConfig } from '../../config/service-schema';
import { loadConfig } from '../../config/load-config';
import { createLogger } from '../../logger';
import { type RunningBot, startBot } from '../../main';
import { SlackRequestSender } from '../../standins/slack/signed-requests';
import { type SlackStandin, startSlackStandin } from '../../standins/slack/server';
import { type Adapters, defaultAdapters } from '../../default-adapters';
import { PrismaSchemaAdapter } from '../../schema/prisma-schema-adapter';
import { systemClock } from '../../rollback/clock';
import type { Person } from '../people';

export interface StagingBot {
  readonly bot: RunningBot;
  readonly slack: SlackStandin;
  readonly sender: SlackRequestSender;
  /** A member of the service's DevOps lead role, as the stand-in knows them. */
  readonly devopsLead: Person;
  readonly names: Map<string, string>;
  readonly logPath: string;
  /** The bot's own application adapter (real Vercel), for reading production before and after. */
  readonly adapters: Adapters;
  stop(): Promise<void>;
}

/** Role members as stand-in users; a user group gets one stand-in member so the role directory can expand it. */
function workspaceFor(service: ServiceConfig): {
  users: Record<string, { name: string }>;
  usergroups: Record<string, string[]>;
  lead: Person;
} {
  const users: Record<string, { name: string }> = {};
  const usergroups: Record<string, string[]> = {};
  let lead: Person | undefined;
  for (const [role, members] of Object.entries(service.roles) as [string, readonly string[]][]) {
    members.forEach((id, index) => {
      const name = `${role.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}-${index + 1}`;
      const userId = id.startsWith('S') ? `U0DRILL${id.slice(1, 6).toUpperCase()}` : id;
      if (id.startsWith('S')) usergroups[id] = [userId];
      users[userId] = { name };
      if (role === 'devopsLead' && !lead) lead = { id: userId, name };
    });
  }
  return { users, usergroups, lead: lead as Person };
}

export async function startStagingBot(input: {
  service: ServiceConfig;
  env: NodeJS.ProcessEnv;
  botDatabaseUrl: string;
  shadowServerUrl: string;
  dir: string;
}): Promise<StagingBot> {
  const { service, dir } = input;
  const workspace = workspaceFor(service);
  const botToken = `xoxb-drill-${randomBytes(12).toString('hex')}`;
  const signingSecret = randomBytes(24).toString('hex');
  const slack = await startSlackStandin({
    token: botToken,
    users: workspace.users,
    usergroups: workspace.usergroups,
    channels: { [service.slack.alertsChannel]: 'alerts' },
  });
  try {
    const configPath = join(dir, 'rollback.config.yaml');
    writeFileSync(configPath, stringify({ services: [{ ...service, autopilot: false }] }));
    const logPath = join(dir, 'bot.log');
    const logStream = createWriteStream(logPath, { flags: 'a' });
    const logger = createLogger('info', logStream);
    const env: NodeJS.ProcessEnv = {
      ...input.env,
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_APP_TOKEN: undefined,
      SLACK_API_URL: slack.apiUrl,
      DATABASE_URL: input.botDatabaseUrl,
      ROLLBACK_CONFIG: configPath,
      ROLLBACK_DATA_DIR: join(dir, 'data'),
      PORT: '0',
    };
    const config = loadConfig(env);
    const adapters: Adapters = {
      ...defaultAdapters(config, env, logger),
      schema: new PrismaSchemaAdapter({
        logger: logger.child({ adapter: 'schema' }),
        clock: systemClock,
        shadow: { serverUrl: input.shadowServerUrl },
      }),
    };
    const bot = await startBot(env, logger, {
      adapters,
      options: { noSchedules: true, runnerIntervalMs: 500, outboxPollMs: 200 },
    });
    const sender = new SlackRequestSender(`http://127.0.0.1:${bot.port}/slack/events`, signingSecret, {
      teamId: slack.workspace.teamId,
      responseUrl: slack.responseUrl,
    });
    const names = new Map<string, string>(Object.entries(workspace.users).map(([id, u]) => [id, u.name]));
    names.set(service.slack.alertsChannel, 'alerts');
    names.set(slack.workspace.botUserId, 'rollback-bot');
    return {
      bot,
      slack,
      sender,
      devopsLead: workspace.lead,
      names,
      logPath,
      adapters,
      stop: async () => {
        await bot.stop();
        await slack.stop();
        await new Promise<void>((resolve) => logStream.end(() => resolve()));
      },
    };
  } catch (error) {
    await slack.stop();
    throw error;
  }
}

/**
 * Is the bot in each service's alerts channel? Without it Slack refuses the
 * incident threads (not_in_channel). Checked with conversations.info
 * (is_member) at start (a warning in the log naming the channel and the fix),
 * for /rollback preflight, and on App Home, from a result kept for a few
 * minutes so a Home refresh does not ask Slack each time.
 */
import type { ServiceConfig } from '../config/service-schema';
import type { Logger } from '../logger';
import type { AlertsChannelPort } from '../rollback/preflight/ports';

export interface MembershipClient {
  conversations: {
    info(args: {
      channel: string;
    }): Promise<{ channel?: { is_member?: boolean; is_archived?: boolean; name?: string } }>;
  };
}

interface ChannelCheck {
  service: string;
  channel: string;
  /** Undefined when the bot is in the channel and can post there. */
  problem?: string;
  fix?: string;
  /** Set when Slack could not be asked (scope, network): the membership is unknown, not refused. */
  unchecked?: true;
}

const INVITE = (channel: string): string => `run \`/invite @rollback-bot\` in <#${channel}>`;

async function checkMembership(client: MembershipClient, service: ServiceConfig): Promise<ChannelCheck> {
  const channel = service.slack.alertsChannel;
  const about = { service: service.name, channel };
  try {
    const info = (await client.conversations.info({ channel })).channel;
    if (info?.is_archived)
      return {
        ...about,
        problem: `<#${channel}>, the alerts channel of ${service.name}, is archived`,
        fix: 'unarchive it or point the service at another channel',
      };
    if (info?.is_member === false)
      return {
        ...about,
        problem:
          `the bot is not in <#${channel}>, the alerts channel of ${service.name}: incident ` +
          `threads cannot be posted there`,
        fix: INVITE(channel),
      };
    return about;
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    if (code === 'channel_not_found') {
      return {
        ...about,
        problem: `Slack knows no channel ${channel} (alerts channel of ${service.name}) that the bot can see`,
        fix: `check the id in the services file; for a private channel, ${INVITE(channel)}`,
      };
    }
    return {
      ...about,
      problem: `could not check the bot's membership of <#${channel}> (${code ?? (error as Error).message})`,
      fix: 'add the channels:read and groups:read scopes and reinstall the app',
      unchecked: true,
    };
  }
}

export interface MembershipWatch {
  /** Asks Slack now about every alerts channel. */
  check(): Promise<ChannelCheck[]>;
  /** The problems last found, as sentences with their fix; refreshes in the background when older than the TTL. */
  problems(): string[];
}

export function createMembershipWatch(options: {
  client: () => MembershipClient | undefined;
  services: readonly ServiceConfig[];
  logger: Logger;
  now?: () => number;
  ttlMs?: number;
}): MembershipWatch {
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  let last: { at: number; checks: ChannelCheck[] } | undefined;
  let running: Promise<ChannelCheck[]> | undefined;

  const check = (): Promise<ChannelCheck[]> => {
    const client = options.client();
    if (!client) return Promise.resolve([]);
    running ??= Promise.all(options.services.map((s) => checkMembership(client, s)))
      .then((checks) => {
        last = { at: now(), checks };
        return checks;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  return {
    check,
    problems: () => {
      if (!last || now() - last.at >= ttlMs)
        void check().catch((error: unknown) =>
          options.logger.warn({ err: error }, 'could not check alerts channel membership'),
        );
      return (last?.checks ?? []).filter((c) => c.problem).map((c) => `${c.problem}. Fix: ${c.fix}.`);
    },
  };
}

/** At start: a warning per alerts channel the bot cannot post in, with the fix. Never blocks or fails start. */
export async function warnAboutMembership(watch: MembershipWatch, logger: Logger): Promise<void> {
  try {
    for (const c of await watch.check()) {
      if (c.problem) logger.warn({ service: c.service, channel: c.channel, fix: c.fix }, `${c.problem}; fix: ${c.fix}`);
    }
  } catch (error) {
    logger.warn({ err: error }, 'could not check alerts channel membership at start');
  }
}

/**
 * The pre-deployment checklist's line (`rollback-bot preflight`): pass, fail
 * with the fix, or skip saying why it could not be asked (no bot token given).
 */
export function alertsChannelCheck(client: MembershipClient | undefined): AlertsChannelPort {
  return {
    checkMembership: async (service) => {
      const channel = service.slack.alertsChannel;
      if (!client) {
        return {
          status: 'skip',
          detail: `Cannot check whether the bot is in <#${channel}>: SLACK_BOT_TOKEN is not set.`,
          fix: 'Set SLACK_BOT_TOKEN (the bot token, xoxb-…) in this job to check it.',
        };
      }
      const found = await checkMembership(client, service);
      if (!found.problem) return { status: 'pass', detail: `The bot is a member of <#${channel}>.` };
      const detail = `${found.problem.charAt(0).toUpperCase()}${found.problem.slice(1)}.`;
      return { status: found.unchecked ? 'skip' : 'fail', detail, fix: `${found.fix ?? 'see the bot log'}.` };
    },
  };
}

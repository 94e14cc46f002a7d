/**
 * What a failed Slack call means for a stored message: wait and try again
 * (429, 5xx, network, Slack's own transient errors), or give up on this
 * version because Slack will refuse it every time (channel_not_found,
 * invalid_blocks, msg_too_long...). Either way a RollbackError says what an
 * operator can do about it.
 */
import { RollbackError } from '../../rollback/errors';

/**
 * retry: try again later. refusal: Slack refused the message where it is (the
 * channel, or its blocks) and will until someone acts; the outbox retries it
 * slowly and says so. posted: whether Slack may have taken the message
 * anyway ('unknown' for timeouts and lost connections).
 */
export type SlackFailure =
  | { retry: true; error: RollbackError; retryAfterMs?: number; refusal?: string; posted: 'no' | 'unknown' }
  | { retry: false; error: RollbackError; posted: 'no' };

/**
 * Refusals that last until a person fixes the channel: retried at a slow pace
 * instead of dropped, so the thread appears once the bot is invited. And
 * invalid_blocks: the text alone is sent next (it is the message's fallback).
 */
const CHANNEL_REFUSALS = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);
export const BLOCKS_REFUSAL = 'invalid_blocks';

/** Slack answers these with ok:false but a later call can succeed. */
const TRANSIENT = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
  'team_added_to_org',
]);

/**
 * A token or scope problem refuses every message alike. Giving up would lose
 * the incident's messages; retrying (capped back-off) delivers them once the
 * operator fixes the token.
 */
const AUTH: Record<string, string> = {
  not_authed: 'Set SLACK_BOT_TOKEN to the bot token (xoxb-...).',
  invalid_auth: 'SLACK_BOT_TOKEN is not accepted: reinstall the app and set the new bot token.',
  token_revoked: 'The bot token was revoked: reinstall the app and set the new bot token.',
  token_expired: 'The bot token expired: reinstall the app and set the new bot token.',
  account_inactive: 'The bot user is deactivated: reinstall the app in the workspace.',
  missing_scope: 'The app lacks a scope it needs (chat:write, im:write): add it in the manifest and reinstall.',
};

const TERMINAL_FIX: Record<string, string> = {
  channel_not_found:
    'Check the channel id in the services file and that the channel still exists ' +
    '(and, if private, that the bot is in it).',
  not_in_channel: 'Invite the bot to the channel (/invite @rollback-bot), then send the message again.',
  is_archived: 'The channel is archived: unarchive it or point the service at another channel.',
  invalid_blocks:
    'A message builder produced Block Kit that Slack refuses; fix the builder (the errors name the block).',
  invalid_blocks_format: 'A message builder produced blocks that are not a JSON array; fix the builder.',
  msg_too_long: 'Shorten the message: Slack takes at most 40,000 characters of text.',
  no_text: 'Give the message a text: it is the notification and the fallback for blocks.',
  thread_not_found:
    'The thread root was deleted or is in another channel; post the reply with its root in the same channel.',
  message_not_found: 'The message was deleted in Slack; send it under a new key to post it again.',
  cant_update_message: 'Slack does not let the bot edit this message; send it under a new key.',
  edit_window_closed: 'The message is too old to edit; send it under a new key.',
  user_not_found: 'Check the Slack user id (U...) in the services file.',
  user_disabled: 'The user is deactivated in Slack; notify someone else.',
  cannot_dm_bot: 'The user id is a bot; direct messages go to people.',
  restricted_action: 'A workspace setting forbids the bot to post there; ask a Slack admin.',
};

interface SlackLikeError {
  code?: unknown;
  retryAfter?: unknown;
  statusCode?: unknown;
  data?: { error?: unknown; errors?: unknown; response_metadata?: { messages?: unknown } };
  message?: unknown;
}

function where(key: string, channel: string | null): string {
  return channel ? `message "${key}" in ${channel}` : `message "${key}"`;
}

/** Slack's own words on invalid blocks, so the operator sees which block broke. */
function blockErrors(data: SlackLikeError['data']): string {
  const list = Array.isArray(data?.errors) ? data.errors : data?.response_metadata?.messages;
  return Array.isArray(list) && list.length > 0 ? ` (${list.slice(0, 3).map(String).join('; ')})` : '';
}

export function classifySlackFailure(raw: unknown, key: string, channel: string | null): SlackFailure {
  const error = (typeof raw === 'object' && raw !== null ? raw : {}) as SlackLikeError;
  const about = where(key, channel);
  const details = { key, channel };
  switch (error.code) {
    case 'slack_webapi_rate_limited_error': {
      const seconds = typeof error.retryAfter === 'number' && error.retryAfter > 0 ? error.retryAfter : 1;
      const limited = new RollbackError('rate_limited', `Slack rate-limited ${about}; retrying after ${seconds} s.`, {
        retryable: true,
        cause: raw,
        details,
      });
      return { retry: true, error: limited, retryAfterMs: seconds * 1000, posted: 'no' };
    }
    case 'slack_webapi_platform_error': {
      const code = String(error.data?.error ?? 'unknown_error');
      if (TRANSIENT.has(code)) {
        return {
          retry: true,
          error: new RollbackError('unavailable', `Slack failed on ${about} (${code}); retrying.`, {
            retryable: true,
            cause: raw,
            details,
          }),
          posted: 'no',
        };
      }
      const authFix = AUTH[code];
      if (authFix) {
        return {
          retry: true,
          error: new RollbackError('forbidden', `Slack refused the bot's token for ${about} (${code}).`, {
            fix: authFix,
            retryable: true,
            cause: raw,
            details,
          }),
          posted: 'no',
        };
      }
      const fix = TERMINAL_FIX[code] ?? `See Slack's documentation of the "${code}" error for this method.`;
      if (CHANNEL_REFUSALS.has(code) || code === BLOCKS_REFUSAL) {
        const retrying =
          code === BLOCKS_REFUSAL ? 'sending its text without blocks' : 'retrying slowly until it can be posted';
        const refused = new RollbackError(
          'external',
          `Slack refused ${about}: ${code}${blockErrors(error.data)}; ${retrying}.`,
          { fix, retryable: true, cause: raw, details: { ...details, slackError: code } },
        );
        return { retry: true, error: refused, refusal: code, posted: 'no' };
      }
      const message = `Slack refused ${about}: ${code}${blockErrors(error.data)}. This version will not be retried.`;
      return {
        retry: false,
        error: new RollbackError('external', message, { fix, cause: raw, details: { ...details, slackError: code } }),
        posted: 'no',
      };
    }
    case 'slack_webapi_http_error': {
      const status = typeof error.statusCode === 'number' ? error.statusCode : 0;
      // Slack's 5xx means it did not take the message; a gateway timeout (504) may come after it did.
      const posted = status === 504 ? 'unknown' : 'no';
      return {
        retry: true,
        error: new RollbackError('unavailable', `Slack answered HTTP ${status} for ${about}; retrying.`, {
          retryable: true,
          cause: raw,
          details,
        }),
        posted,
      };
    }
    default: {
      // Network errors, timeouts and anything unforeseen: keep the message and try again later. Slack
      // may have posted it all the same, so the next attempt looks for it first.
      const message = typeof error.message === 'string' ? error.message : String(raw);
      return {
        retry: true,
        error: new RollbackError('unavailable', `Could not reach Slack for ${about} (${message}); retrying.`, {
          fix: 'Check that the bot can reach Slack (SLACK_API_URL, proxy, DNS).',
          retryable: true,
          cause: raw,
          details,
        }),
        posted: 'unknown',
      };
    }
  }
}

/** Exponential back-off for transient failures: min, 2·min, 4·min... capped at max. */
export function backoffMs(attempts: number, minMs: number, maxMs: number): number {
  const exponent = Math.min(Math.max(attempts, 0), 30);
  return Math.min(maxMs, minMs * 2 ** exponent);
}

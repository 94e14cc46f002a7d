/**
 * Sends what Slack sends: signed HTTP requests (v0 HMAC-SHA256 over
 * "v0:timestamp:body") carrying slash commands, block_actions and Events API
 * callbacks, to a running bot. Used by the tests and the drill.
 */
import { createHmac, randomBytes } from 'node:crypto';

export interface SlackHttpResponse {
  status: number;
  text: string;
  json(): unknown;
  durationMs: number;
}

interface SendOptions {
  /** Seconds to shift the timestamp (negative: stale). */
  skewSeconds?: number;
  /** Replace the signature (forged request). */
  signature?: string;
  /** Slack's retry headers. */
  retryNum?: number;
  retryReason?: string;
}

export function signature(secret: string, timestamp: string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export function newTriggerId(): string {
  return `${Date.now()}.${Math.floor(Math.random() * 1e9)}.${randomBytes(16).toString('hex')}`;
}

export class SlackRequestSender {
  constructor(
    private readonly endpoint: string,
    private readonly signingSecret: string,
    private readonly defaults: { teamId: string; responseUrl: (id: string) => string } = {
      teamId: 'T0STANDIN',
      responseUrl: (id) => `http://127.0.0.1:9/response/${id}`,
    },
  ) {}

  async send(body: string, contentType: string, options: SendOptions = {}): Promise<SlackHttpResponse> {
    const timestamp = String(Math.floor(Date.now() / 1000) + (options.skewSeconds ?? 0));
    const headers: Record<string, string> = {
      'content-type': contentType,
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': options.signature ?? signature(this.signingSecret, timestamp, body),
    };
    if (options.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(options.retryNum);
      headers['x-slack-retry-reason'] = options.retryReason ?? 'http_timeout';
    }
    const started = performance.now();
    const response = await fetch(this.endpoint, { method: 'POST', headers, body });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text), durationMs: performance.now() - started };
  }

  slashCommand(
    fields: {
      text: string;
      userId: string;
      channelId?: string;
      command?: string;
      triggerId?: string;
      responseId?: string;
    },
    options?: SendOptions,
  ): Promise<SlackHttpResponse> {
    const responseId = fields.responseId ?? randomBytes(6).toString('hex');
    const body = new URLSearchParams({
      token: 'deprecated-verification-token',
      team_id: this.defaults.teamId,
      team_domain: 'standin',
      channel_id: fields.channelId ?? 'C0PRODALRT',
      channel_name: 'prod-alerts',
      user_id: fields.userId,
      user_name: fields.userId.toLowerCase(),
      command: fields.command ?? '/rollback',
      text: fields.text,
      api_app_id: 'A0ROLLBACK',
      is_enterprise_install: 'false',
      response_url: this.defaults.responseUrl(responseId),
      trigger_id: fields.triggerId ?? newTriggerId(),
    }).toString();
    return this.send(body, 'application/x-www-form-urlencoded', options);
  }

  /** An interactive payload (block_actions, view_submission): form-encoded with one `payload` JSON field. */
  interaction(payload: Record<string, unknown>, options?: SendOptions): Promise<SlackHttpResponse> {
    const full = {
      team: { id: this.defaults.teamId, domain: 'standin' },
      api_app_id: 'A0ROLLBACK',
      token: 'deprecated',
      trigger_id: newTriggerId(),
      ...payload,
    };
    return this.send(
      new URLSearchParams({ payload: JSON.stringify(full) }).toString(),
      'application/x-www-form-urlencoded',
      options,
    );
  }

  blockAction(
    fields: {
      userId: string;
      actionId: string;
      value?: string;
      channelId?: string;
      messageTs?: string;
      blockId?: string;
      responseId?: string;
      triggerId?: string;
    },
    options?: SendOptions,
  ): Promise<SlackHttpResponse> {
    const responseId = fields.responseId ?? randomBytes(6).toString('hex');
    return this.interaction(
      {
        type: 'block_actions',
        user: { id: fields.userId, username: fields.userId.toLowerCase(), team_id: this.defaults.teamId },
        channel: { id: fields.channelId ?? 'C0PRODALRT', name: 'prod-alerts' },
        container: {
          type: 'message',
          message_ts: fields.messageTs ?? '1700000000.000001',
          channel_id: fields.channelId ?? 'C0PRODALRT',
          is_ephemeral: false,
        },
        message: { ts: fields.messageTs ?? '1700000000.000001', type: 'message', text: '' },
        response_url: this.defaults.responseUrl(responseId),
        ...(fields.triggerId ? { trigger_id: fields.triggerId } : {}),
        actions: [
          {
            type: 'button',
            action_id: fields.actionId,
            block_id: fields.blockId ?? 'actions',
            value: fields.value ?? '',
            text: { type: 'plain_text', text: fields.actionId },
            action_ts: `${Date.now() / 1000}`,
          },
        ],
      },
      options,
    );
  }

  event(
    event: Record<string, unknown>,
    fields: { eventId?: string } = {},
    options?: SendOptions,
  ): Promise<SlackHttpResponse> {
    const body = JSON.stringify({
      token: 'deprecated',
      team_id: this.defaults.teamId,
      api_app_id: 'A0ROLLBACK',
      type: 'event_callback',
      event_id: fields.eventId ?? `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
      event_time: Math.floor(Date.now() / 1000),
      event,
    });
    return this.send(body, 'application/json', options);
  }
}

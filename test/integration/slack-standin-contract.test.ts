/**
 * The Slack stand-in's answers held to Slack's published models. Slack ships
 * no runtime schema for the Web API (the @slack/web-api response types are
 * TypeScript only), so the zod schemas below are written from the documented
 * response shapes (api.slack.com method pages, mirrored by @slack/web-api's
 * ChatPostMessageResponse, ConversationsHistoryResponse, ConversationsRepliesResponse,
 * ConversationsInfoResponse, ConversationsOpenResponse, UsergroupsUsersListResponse):
 * only the fields the bot reads, each with its documented type. Driven through
 * Slack's own WebClient with the bot's client options.
 */
import { webApi } from '@slack/bolt';
import { z } from 'zod';
import { slackClientOptions } from '../../src/slack/app';
import { outboxMetadata } from '../../src/slack/outbox/find-own-message';
import { type SlackStandin, startSlackStandin } from '../../src/standins/slack/server';

const TS = z.string().regex(/^\d{10}\.\d{6}$/, 'a Slack ts: seconds.micros');
const metadata = z.strictObject({ event_type: z.string(), event_payload: z.record(z.string(), z.unknown()) });
const message = z.object({
  type: z.literal('message'),
  ts: TS,
  text: z.string(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  thread_ts: TS.optional(),
  blocks: z.array(z.object({ type: z.string() })).optional(),
  metadata: metadata.optional(),
});
const ok = z.object({ ok: z.literal(true) });
const SCHEMAS = {
  'chat.postMessage': ok.extend({ channel: z.string(), ts: TS, message }),
  'chat.update': ok.extend({ channel: z.string(), ts: TS, text: z.string() }),
  'conversations.history': ok.extend({
    messages: z.array(message),
    has_more: z.boolean(),
    response_metadata: z.object({ next_cursor: z.string() }).optional(),
  }),
  'conversations.replies': ok.extend({ messages: z.array(message), has_more: z.boolean() }),
  'conversations.info': ok.extend({
    channel: z.object({
      id: z.string(),
      name: z.string(),
      is_channel: z.boolean(),
      is_private: z.boolean(),
      is_archived: z.boolean(),
      is_member: z.boolean(),
    }),
  }),
  'conversations.open': ok.extend({ channel: z.object({ id: z.string().regex(/^D/) }) }),
  'usergroups.users.list': ok.extend({ users: z.array(z.string()) }),
};
/** Slack's error answer: HTTP 200, ok:false and an error code. */
const refusal = z.object({ ok: z.literal(false), error: z.string().regex(/^[a-z_]+$/) });

describe('Slack stand-in contract', () => {
  let slack: SlackStandin;
  let client: webApi.WebClient;
  const answerOf = (method: string) => {
    const calls = slack.callsOf(method);
    return calls[calls.length - 1]?.answer;
  };

  beforeAll(async () => {
    slack = await startSlackStandin({
      token: 'xoxb-contract',
      users: { U1: { name: 'one' } },
      usergroups: { S1: ['U1'] },
      channels: { C1: 'alerts', C2: 'not-invited' },
      channelsWithoutBot: ['C2'],
    });
    client = new webApi.WebClient('xoxb-contract', slackClientOptions(slack.apiUrl));
  });
  afterAll(() => slack.stop());

  it(
    'answers every method the bot calls in the documented shape, metadata stored and ' +
      'returned on include_all_metadata only',
    async () => {
      const root = await client.chat.postMessage({ channel: 'C1', text: 'root', metadata: outboxMetadata('k:root') });
      await client.chat.postMessage({
        channel: 'C1',
        text: 'reply',
        thread_ts: root.ts as string,
        metadata: outboxMetadata('k:reply'),
      });
      await client.chat.update({
        channel: 'C1',
        ts: root.ts as string,
        text: 'root v2',
        metadata: outboxMetadata('k:root'),
      });
      const withMetadata = await client.conversations.history({ channel: 'C1', include_all_metadata: true, limit: 10 });
      const thread = await client.conversations.replies({
        channel: 'C1',
        ts: root.ts as string,
        include_all_metadata: true,
      });
      await client.conversations.info({ channel: 'C1' });
      await client.conversations.open({ users: 'U1' });
      await client.usergroups.users.list({ usergroup: 'S1' });
      for (const [method, schema] of Object.entries(SCHEMAS)) {
        const parsed = schema.safeParse(answerOf(method));
        expect({ method, issues: parsed.success ? [] : parsed.error.issues }).toEqual({ method, issues: [] });
      }
      // conversations.history lists top-level messages only, newest first; replies hold the thread in order.
      expect(withMetadata.messages?.map((m) => [m.text, m.metadata?.event_payload])).toEqual([
        ['root v2', { key: 'k:root' }],
      ]);
      expect(thread.messages?.map((m) => m.metadata?.event_payload)).toEqual([{ key: 'k:root' }, { key: 'k:reply' }]);
      const without = await client.conversations.history({ channel: 'C1' });
      expect(without.messages?.some((m) => m.metadata)).toBe(false);
    },
  );

  it(
    'refuses as Slack does: not_in_channel until the bot is invited, is_member false ' + 'meanwhile, bad metadata',
    async () => {
      await expect(client.chat.postMessage({ channel: 'C2', text: 'x' })).rejects.toMatchObject({
        data: { ok: false, error: 'not_in_channel' },
      });
      expect(refusal.safeParse(answerOf('chat.postMessage')).success).toBe(true);
      expect((await client.conversations.info({ channel: 'C2' })).channel?.is_member).toBe(false);
      await expect(client.conversations.history({ channel: 'C2' })).rejects.toMatchObject({
        data: { error: 'not_in_channel' },
      });
      slack.setBotMember('C2', true);
      expect((await client.chat.postMessage({ channel: 'C2', text: 'x' })).ok).toBe(true);
      expect((await client.conversations.info({ channel: 'C2' })).channel?.is_member).toBe(true);
      await expect(
        client.chat.postMessage({ channel: 'C1', text: 'x', metadata: { event_type: 'bad type!', event_payload: {} } }),
      ).rejects.toMatchObject({ data: { error: 'invalid_metadata_schema' } });
    },
  );

  it(
    "a 429 carries Retry-After (seconds) and, with the bot's options, is rejected at " + 'once instead of waited out',
    async () => {
      slack.inject('chat.postMessage', { status: 429, retryAfterSeconds: 45 });
      const started = Date.now();
      await expect(client.chat.postMessage({ channel: 'C1', text: 'limited' })).rejects.toMatchObject({
        code: 'slack_webapi_rate_limited_error',
        retryAfter: 45,
      });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(slack.callsOf('chat.postMessage').filter((c) => c.params.text === 'limited')).toHaveLength(1);
    },
  );
});

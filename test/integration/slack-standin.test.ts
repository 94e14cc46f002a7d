/**
 * The Slack stand-in must refuse what Slack refuses, or tests against it prove
 * nothing. Driven through Slack's own WebClient, as the bot uses it.
 */
import { webApi } from '@slack/bolt';
import { type SlackStandin, startSlackStandin } from '../../src/standins/slack/server';

describe('Slack stand-in', () => {
  let slack: SlackStandin;
  let client: webApi.WebClient;

  beforeAll(async () => {
    slack = await startSlackStandin({
      token: 'xoxb-good',
      users: { U1: { name: 'one' } },
      usergroups: { S1: ['U1'] },
      channels: { C1: 'prod-alerts' },
    });
    client = new webApi.WebClient('xoxb-good', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
  });
  afterAll(() => slack.stop());

  const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

  it('posts form-encoded messages with blocks as a JSON string and records them', async () => {
    const answer = await client.chat.postMessage({ channel: 'C1', text: 'hi', blocks: [section('*hi*')] });
    expect(answer.ok).toBe(true);
    const call = await slack.waitForCall((c) => c.method === 'chat.postMessage');
    expect(typeof call.params.blocks).toBe('string');
    const updated = await client.chat.update({ channel: 'C1', ts: answer.ts as string, text: 'edited' });
    expect(updated.ok).toBe(true);
    const reply = await client.chat.postMessage({ channel: 'C1', text: 'in thread', thread_ts: answer.ts as string });
    expect(reply.ok).toBe(true);
  });

  it.each([
    ['51 blocks', Array.from({ length: 51 }, () => section('x')), /no more than 50 items \[json-pointer:\/blocks\]/],
    [
      '3001 characters of section text',
      [section('x'.repeat(3001))],
      /less than 3001 characters \[json-pointer:\/blocks\/0\/text\/text\]/,
    ],
    [
      'a 256-character action id',
      [
        {
          type: 'actions',
          elements: [{ type: 'button', text: { type: 'plain_text', text: 'Go' }, action_id: 'a'.repeat(256) }],
        },
      ],
      /action_id/,
    ],
    [
      'a header over 150 characters',
      [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
      /less than 151/,
    ],
    ['an unknown block type', [{ type: 'sparkles' }], /unsupported block type/],
    [
      'an input block in a message',
      [{ type: 'input', label: { type: 'plain_text', text: 'x' }, element: { type: 'plain_text_input' } }],
      /only allowed in modals/,
    ],
  ])('answers invalid_blocks for %s', async (_name, blocks, message) => {
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x', blocks: blocks as never })).rejects.toMatchObject({
      data: { ok: false, error: 'invalid_blocks', errors: expect.arrayContaining([expect.stringMatching(message)]) },
    });
  });

  it('checks tokens, channels, text and users like Slack', async () => {
    const bad = new webApi.WebClient('xoxb-wrong', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    await expect(bad.auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    await expect(client.chat.postMessage({ channel: 'C404', text: 'x' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x'.repeat(40_001) })).rejects.toMatchObject({
      data: { error: 'msg_too_long' },
    });
    await expect(client.chat.postMessage({ channel: 'C1', text: '' })).rejects.toMatchObject({
      data: { error: 'no_text' },
    });
    await expect(client.chat.update({ channel: 'C1', ts: '1.2', text: 'x' })).rejects.toMatchObject({
      data: { error: 'message_not_found' },
    });
    await expect(client.users.info({ user: 'U404' })).rejects.toMatchObject({ data: { error: 'user_not_found' } });
    expect((await client.usergroups.users.list({ usergroup: 'S1' })).users).toEqual(['U1']);
    await expect(
      client.views.open({
        trigger_id: 'nope',
        view: { type: 'modal', title: { type: 'plain_text', text: 't' }, blocks: [] },
      }),
    ).rejects.toMatchObject({
      data: { error: 'invalid_trigger_id' },
    });
    await expect(
      client.views.publish({
        user_id: 'U1',
        view: { type: 'home', blocks: Array.from({ length: 101 }, () => section('x')) as never },
      }),
    ).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
  });

  it('answers 429 with Retry-After, ok:false errors, and an outage on demand', async () => {
    slack.inject('chat.postMessage', { status: 429, retryAfterSeconds: 7 }, { error: 'fatal_error' });
    const rejecting = new webApi.WebClient('xoxb-good', {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
    await expect(rejecting.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
      code: 'slack_webapi_rate_limited_error',
      retryAfter: 7,
    });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
      data: { error: 'fatal_error' },
    });
    slack.setOutage(true);
    await expect(client.auth.test()).rejects.toThrow();
    slack.setOutage(false);
    expect((await client.auth.test()).ok).toBe(true);
  });

  it('enforces one post per channel per second when asked to', async () => {
    const strict = await startSlackStandin({
      token: 'xoxb-good',
      channels: { C1: 'prod-alerts' },
      postsPerChannelPerSecond: 1,
    });
    const strictClient = new webApi.WebClient('xoxb-good', {
      slackApiUrl: strict.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
    try {
      await strictClient.chat.postMessage({ channel: 'C1', text: 'one' });
      await expect(strictClient.chat.postMessage({ channel: 'C1', text: 'two' })).rejects.toMatchObject({
        code: 'slack_webapi_rate_limited_error',
      });
    } finally {
      await strict.stop();
    }
  });

  it('accepts response_url posts as JSON', async () => {
    const response = await fetch(slack.responseUrl('abc'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'done' }),
    });
    expect(response.status).toBe(200);
    expect((await slack.waitForResponse((p) => p.id === 'abc')).body).toEqual({ text: 'done' });
  });
});

/**
 * Issue 13: the outbox posts each message once, as far as Slack allows, when
 * Slack is slow or limits for long. The client is built with the bot's own
 * options (slackClientOptions: no retries of its own, 429 rejected at once),
 * only its timeout shortened so a "slower than the timeout" answer takes 1 s
 * of real time. Waits that Slack dictates (Retry-After 15-60 s, the settle
 * time, the slow pace for refused channels) run on an injected clock.
 */
import { webApi } from '@slack/bolt';
import { silentLogger } from '../../src/logger';
import { ManualClock } from '../../src/rollback/clock';
import type { Notifier } from '../../src/slack/outbox/notifier';
import { slackClientOptions } from '../../src/slack/app';
import {
  type OutboxSlackClient,
  type OutboxWorker,
  type OutboxWorkerOptions,
  createSlackNotifier,
  startOutboxWorker,
} from '../../src/slack/outbox';
import { outboxKeyOf } from '../../src/slack/outbox/find-own-message';
import { type SlackStandin, startSlackStandin } from '../../src/standins/slack/server';
import { migrate } from '../../src/store/migrate';
import { type Db, createDb } from '../../src/store/pool';
import { testDatabase } from '../support/database';

const TOKEN = 'xoxb-exactly-once';
const CLIENT_TIMEOUT_MS = 300;
const quietSlackLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => webApi.LogLevel.ERROR,
  setName() {},
};
const CHANNELS = Object.fromEntries(
  ['CLIMIT', 'CSLOW', 'CSLOWT', 'CCRASH', 'CREFUSE', 'CBLOCKS'].map((c) => [c, c.toLowerCase()]),
);

describe('Slack outbox: exactly once', () => {
  const database = testDatabase('outbox_exactly_once');
  let db: Db;
  let slack: SlackStandin;
  let client: webApi.WebClient;
  let notifier: Notifier;
  let clock: ManualClock;
  const workers: OutboxWorker[] = [];

  const start = (options: Partial<OutboxWorkerOptions> = {}): OutboxWorker => {
    const worker = startOutboxWorker({
      db,
      client,
      clock,
      logger: silentLogger,
      pollMs: 50,
      minChannelGapMs: 0,
      callTimeoutMs: 2000,
      unknownSettleMs: 30_000,
      ...options,
    });
    workers.push(worker);
    return worker;
  };
  /** What Slack holds under our key: the messages that carry it in their metadata. */
  const inSlack = (key: string) =>
    [...slack.workspace.messages.values()].filter((m) => m.metadata && outboxKeyOf(m) === key);
  const callsTo = (method: string, channel: string) =>
    slack.calls.filter((c) => c.method === method && c.params.channel === channel);
  const row = async (key: string) =>
    (
      await db.query<{
        ts: string | null;
        version: number;
        sent_version: number;
        post_started_at: Date | null;
        refusal: string | null;
        next_attempt_at: Date;
        last_error: string | null;
      }>({
        text:
          'SELECT ts, version, sent_version, post_started_at, refusal, next_attempt_at, ' +
          'last_error FROM slack_outbox WHERE key = $1',
        values: [key],
      })
    )[0];
  const waitUntil = async (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 8000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const advance = (ms: number): void => {
    clock.advance(ms);
    workers.forEach((w) => w.wake());
  };

  beforeAll(async () => {
    await database.create();
    db = createDb(database.url, silentLogger);
    await migrate(db, silentLogger);
    slack = await startSlackStandin({ token: TOKEN, channels: CHANNELS, channelsWithoutBot: ['CREFUSE'] });
    client = new webApi.WebClient(TOKEN, {
      ...slackClientOptions(slack.apiUrl),
      timeout: CLIENT_TIMEOUT_MS,
      logger: quietSlackLogger,
    });
    notifier = createSlackNotifier(db, { onStored: () => workers.forEach((w) => w.wake()) });
  });
  beforeEach(() => {
    clock = new ManualClock();
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  });
  afterAll(async () => {
    await slack.stop();
    await db.close();
    await database.drop();
  });

  it(
    'posts nothing while a 60 s Retry-After runs (the client neither waits nor ' +
      're-sends by itself), then posts once',
    async () => {
      slack.inject('chat.postMessage', { status: 429, retryAfterSeconds: 60 });
      await notifier.send({ key: 'limit:root', channel: 'CLIMIT', text: '🚨 ROLLBACK IN PROGRESS' });
      start();
      await slack.waitForCall((c) => c.params.channel === 'CLIMIT' && c.status === 429);
      await waitUntil('the retry to be scheduled', async () => (await row('limit:root'))?.last_error !== null);
      expect((await row('limit:root'))?.next_attempt_at.getTime()).toBe(clock.now().getTime() + 60_000);
      advance(59_000);
      await new Promise((r) => setTimeout(r, 400));
      expect(callsTo('chat.postMessage', 'CLIMIT')).toHaveLength(1);

      advance(1000);
      await slack.waitForCall((c) => c.params.channel === 'CLIMIT' && c.answer.ok);
      expect(inSlack('limit:root')).toHaveLength(1);
      // A sure "not posted" (429) needs no look-up.
      expect(callsTo('conversations.history', 'CLIMIT')).toEqual([]);
      await waitUntil('the post to be recorded', async () => (await row('limit:root'))?.sent_version === 1);
      expect((await row('limit:root'))?.post_started_at).toBeNull();
    },
  );

  it(
    'an answer slower than the client timeout is "outcome unknown": after settling, ' +
      'the post is found in history and updated, not posted again',
    async () => {
      // Slack takes the message but answers after 1 s; the client gave up after 300 ms.
      slack.inject('chat.postMessage', { delayMs: 1000 });
      await notifier.send({ key: 'slow:root', channel: 'CSLOW', text: 'v1' });
      start();
      await slack.waitForCall(
        (c) => c.params.channel === 'CSLOW' && c.method === 'chat.postMessage' && c.answer.ok,
        5000,
      );
      await waitUntil('the unknown outcome to be recorded', async () =>
        /Could not reach Slack/.test((await row('slow:root'))?.last_error ?? ''),
      );
      const stored = await row('slow:root');
      expect(stored?.ts).toBeNull();
      expect(stored?.post_started_at).not.toBeNull();
      expect(stored?.next_attempt_at.getTime()).toBe(clock.now().getTime() + 30_000);
      await notifier.send({ key: 'slow:root', channel: 'CSLOW', text: 'v2' });

      advance(30_000);
      await waitUntil(
        'the found post to be brought up to date',
        async () => (await row('slow:root'))?.sent_version === 2,
      );
      expect(inSlack('slow:root')).toHaveLength(1);
      expect(callsTo('chat.postMessage', 'CSLOW')).toHaveLength(1);
      expect(callsTo('conversations.history', 'CSLOW').map((c) => c.params.include_all_metadata)).toEqual(['true']);
      expect(inSlack('slow:root')[0]?.text).toBe('v2');
      expect((await row('slow:root'))?.ts).toBe(inSlack('slow:root')[0]?.ts);
    },
  );

  it('a thread reply with an unknown outcome is looked for in its thread (conversations.replies)', async () => {
    await notifier.send({ key: 'slowt:root', channel: 'CSLOWT', text: 'root' });
    start();
    await waitUntil('the root to be posted', async () => (await row('slowt:root'))?.sent_version === 1);
    slack.inject('chat.postMessage', { delayMs: 1000 });
    await notifier.send({ key: 'slowt:reply', channel: 'CSLOWT', threadKey: 'slowt:root', text: 'reply' });
    await slack.waitForCall((c) => c.params.channel === 'CSLOWT' && c.params.text === 'reply' && c.answer.ok, 5000);
    await waitUntil(
      'the unknown outcome to be recorded',
      async () =>
        (await row('slowt:reply'))?.post_started_at !== null && (await row('slowt:reply'))?.last_error !== null,
    );
    advance(30_000);
    await waitUntil('the reply to be found', async () => (await row('slowt:reply'))?.ts !== null);
    expect(inSlack('slowt:reply')).toHaveLength(1);
    expect(callsTo('conversations.replies', 'CSLOWT')).toHaveLength(1);
    expect(callsTo('chat.postMessage', 'CSLOWT').filter((c) => c.params.text === 'reply')).toHaveLength(1);
  });

  it(
    "a replica that dies between Slack's answer and the database write: the next one " +
      'finds the post instead of repeating it',
    async () => {
      let kill: (reason: Error) => void = () => undefined;
      const killed = new Promise<never>((_resolve, reject) => {
        kill = reject;
      });
      // The dying replica's client: Slack takes the post, the answer never reaches the database.
      const dying: OutboxSlackClient = {
        chat: {
          postMessage: async (args) => (await client.chat.postMessage(args), killed),
          update: (args) => client.chat.update(args),
        },
        conversations: client.conversations,
      };
      await notifier.send({ key: 'crash:root', channel: 'CCRASH', text: 'ROLLBACK IN PROGRESS' });
      start({ client: dying, callTimeoutMs: 60_000, workerId: 'dying', concurrency: 1 });
      await slack.waitForCall((c) => c.params.channel === 'CCRASH' && c.answer.ok);
      expect((await row('crash:root'))?.post_started_at).not.toBeNull();

      start({ workerId: 'next' });
      // The dead replica's lease on the channel runs out (its call timeout + 1 s), then the next one takes over.
      advance(62_001);
      await waitUntil('the post to be found', async () => (await row('crash:root'))?.ts !== null);
      kill(new Error('process killed'));
      expect(inSlack('crash:root')).toHaveLength(1);
      expect(callsTo('chat.postMessage', 'CCRASH')).toHaveLength(1);
      expect((await row('crash:root'))?.ts).toBe(inSlack('crash:root')[0]?.ts);
    },
  );

  it(
    'a channel the bot is not in: refused, retried at a slow pace (not dropped), ' +
      'posted with its thread once the bot is invited',
    async () => {
      const refused: string[] = [];
      await notifier.send({ key: 'refuse:root', channel: 'CREFUSE', text: 'ROLLBACK IN PROGRESS' });
      await notifier.send({
        key: 'refuse:outcome',
        channel: 'CREFUSE',
        threadKey: 'refuse:root',
        text: 'ROLLBACK FAILED',
      });
      start({ refusedRetryMs: 300_000, onRefused: (key, why) => refused.push(`${key} ${why}`) });
      await waitUntil(
        'the refusal to be recorded',
        async () => (await row('refuse:root'))?.refusal === 'not_in_channel',
      );
      expect(refused).toEqual(['refuse:root not_in_channel']);
      expect((await row('refuse:root'))?.next_attempt_at.getTime()).toBe(clock.now().getTime() + 300_000);
      expect((await row('refuse:root'))?.last_error).toMatch(/\/invite @rollback-bot/);

      advance(299_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(callsTo('chat.postMessage', 'CREFUSE')).toHaveLength(1);
      slack.setBotMember('CREFUSE', true);
      advance(1000);
      await waitUntil('the thread to be posted', async () => (await row('refuse:outcome'))?.sent_version === 1);
      const posted = callsTo('chat.postMessage', 'CREFUSE').filter((c) => c.answer.ok);
      expect(posted.map((c) => c.params.text)).toEqual(['ROLLBACK IN PROGRESS', 'ROLLBACK FAILED']);
      expect(posted[1]?.params.thread_ts).toBe(posted[0]?.answer.ts);
      expect((await row('refuse:root'))?.refusal).toBeNull();
      expect(refused).toHaveLength(1);
    },
  );

  it('blocks Slack refuses (invalid_blocks): the text goes out alone, so the thread is not held up', async () => {
    slack.inject('chat.postMessage', { error: 'invalid_blocks' });
    await notifier.send({
      key: 'blocks:root',
      channel: 'CBLOCKS',
      text: 'ROLLBACK IN PROGRESS',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x' } }],
    });
    await notifier.send({ key: 'blocks:reply', channel: 'CBLOCKS', threadKey: 'blocks:root', text: 'progress' });
    start();
    await waitUntil('the reply to be posted', async () => (await row('blocks:reply'))?.sent_version === 1);
    const posts = callsTo('chat.postMessage', 'CBLOCKS');
    expect(posts.map((c) => [c.params.text, c.params.blocks === undefined, c.answer.ok])).toEqual([
      ['ROLLBACK IN PROGRESS', false, false],
      ['ROLLBACK IN PROGRESS', true, true],
      ['progress', true, true],
    ]);
  });
});

/**
 * The Slack outbox against the strict Slack stand-in (one post per channel per
 * second, 429 with Retry-After, outages) and a real PostgreSQL: pace, order,
 * retries, coalescing and threads.
 */
import { webApi } from '@slack/bolt';
import { silentLogger } from '../../src/logger';
import { ManualClock } from '../../src/rollback/clock';
import type { Notifier } from '../../src/slack/outbox/notifier';
import {
  type OutboxWorker,
  type OutboxWorkerOptions,
  createSlackNotifier,
  startOutboxWorker,
} from '../../src/slack/outbox';
import { backoffMs } from '../../src/slack/outbox/slack-failures';
import { type RecordedCall, type SlackStandin, startSlackStandin } from '../../src/standins/slack/server';
import { migrate } from '../../src/store/migrate';
import { type Db, createDb } from '../../src/store/pool';
import { testDatabase } from '../support/database';

const TOKEN = 'xoxb-outbox';
/** The WebClient logs refused calls itself; the outbox's own logs are what these tests look at. */
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
  ['CPACE', 'CPACE2', 'CRETRY', 'CCOAL', 'CTHREAD', 'COUT1', 'COUT2', 'CBACK'].map((c) => [c, c.toLowerCase()]),
);

describe('Slack outbox delivery', () => {
  const database = testDatabase('outbox_delivery');
  let db: Db;
  let slack: SlackStandin;
  let client: webApi.WebClient;
  let notifier: Notifier;
  const workers: OutboxWorker[] = [];

  const start = (options: Partial<OutboxWorkerOptions> = {}): OutboxWorker => {
    const worker = startOutboxWorker({ db, client, logger: silentLogger, pollMs: 50, ...options });
    workers.push(worker);
    return worker;
  };
  const posts = (channel: string): RecordedCall[] =>
    slack.calls.filter((c) => c.method === 'chat.postMessage' && c.params.channel === channel && c.answer.ok);
  const waitUntil = async (check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const row = async (key: string) =>
    (
      await db.query<{
        attempts: number;
        next_attempt_at: Date;
        last_error: string | null;
        version: number;
        sent_version: number;
      }>({
        text: 'SELECT attempts, next_attempt_at, last_error, version, sent_version FROM slack_outbox WHERE key = $1',
        values: [key],
      })
    )[0];

  beforeAll(async () => {
    await database.create();
    db = createDb(database.url, silentLogger);
    await migrate(db, silentLogger);
    slack = await startSlackStandin({ token: TOKEN, channels: CHANNELS, postsPerChannelPerSecond: 1 });
    client = new webApi.WebClient(TOKEN, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logger: quietSlackLogger,
    });
    notifier = createSlackNotifier(db, { onStored: () => workers.forEach((w) => w.wake()) });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    slack.setOutage(false);
  });
  afterAll(async () => {
    await slack.stop();
    await db.close();
    await database.drop();
  });

  it('posts oldest first, never twice in one channel within a second, channels side by side', async () => {
    for (const n of [1, 2, 3, 4]) await notifier.send({ key: `pace:a${n}`, channel: 'CPACE', text: `a${n}` });
    for (const n of [1, 2]) await notifier.send({ key: `pace:b${n}`, channel: 'CPACE2', text: `b${n}` });
    const worker = start();
    await slack.waitForCall((c) => c.params.text === 'a4' && c.answer.ok, 8000);
    expect(await worker.drain(1000)).toBe(true);

    const a = posts('CPACE');
    expect(a.map((c) => c.params.text)).toEqual(['a1', 'a2', 'a3', 'a4']);
    a.slice(1).forEach((call, i) => expect(call.at - (a[i] as RecordedCall).at).toBeGreaterThanOrEqual(1000));
    expect(posts('CPACE2').map((c) => c.params.text)).toEqual(['b1', 'b2']);
    // The second channel is not queued behind the first.
    expect((posts('CPACE2')[1] as RecordedCall).at).toBeLessThan((a[2] as RecordedCall).at);
    expect(slack.calls.filter((c) => c.status === 429)).toEqual([]);
  });

  it('waits out Retry-After on a 429 and then delivers once', async () => {
    slack.inject('chat.postMessage', { status: 429, retryAfterSeconds: 2 });
    await notifier.send({ key: 'retry:1', channel: 'CRETRY', text: 'after the limit' });
    start();
    const limited = await slack.waitForCall((c) => c.params.channel === 'CRETRY' && c.status === 429);
    const sent = await slack.waitForCall((c) => c.params.channel === 'CRETRY' && c.answer.ok, 5000);
    expect(sent.at - limited.at).toBeGreaterThanOrEqual(2000);
    expect(sent.at - limited.at).toBeLessThan(3500);
    expect(posts('CRETRY')).toHaveLength(1);
    await waitUntil(async () => (await row('retry:1'))?.sent_version === 1);
    expect(await row('retry:1')).toMatchObject({ attempts: 0, last_error: null, sent_version: 1 });
    expect(await notifier.sentTs('retry:1')).toBe(sent.answer.ts);
  });

  it('coalesces updates stored while no worker runs into one chat.update with the last content', async () => {
    await notifier.send({ key: 'coal:progress', channel: 'CCOAL', text: 'step 0 of 10' });
    const first = start();
    const posted = await slack.waitForCall((c) => c.params.channel === 'CCOAL' && c.answer.ok);
    await first.stop();
    for (let n = 1; n <= 10; n += 1) {
      await notifier.send({
        key: 'coal:progress',
        channel: 'CCOAL',
        text: `step ${n} of 10`,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*${n}*` } }],
      });
    }
    const second = start();
    expect(await second.drain(5000)).toBe(true);

    const updates = slack.calls.filter((c) => c.method === 'chat.update' && c.params.channel === 'CCOAL');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.params).toMatchObject({ ts: posted.answer.ts, text: 'step 10 of 10' });
    expect(JSON.parse(String(updates[0]?.params.blocks))).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: '*10*' } },
    ]);
    expect(posts('CCOAL')).toHaveLength(1);

    // The same content again is no new version: no Slack call.
    await notifier.send({
      key: 'coal:progress',
      channel: 'CCOAL',
      text: 'step 10 of 10',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*10*' } }],
    });
    expect(await row('coal:progress')).toMatchObject({ version: 11, sent_version: 11 });
    // Dropping the blocks clears them in Slack instead of keeping the old ones.
    await notifier.send({ key: 'coal:progress', channel: 'CCOAL', text: 'done' });
    expect(await second.drain(5000)).toBe(true);
    const message = slack.workspace.messages.get(`CCOAL:${String(posted.answer.ts)}`);
    expect(message).toMatchObject({ text: 'done', blocks: [] });
  });

  it('holds a thread reply until its root has a ts, then posts it in that thread', async () => {
    await notifier.send({ key: 'thread:reply', channel: 'CTHREAD', threadKey: 'thread:root', text: 'step 1 running' });
    start();
    expect(await workers[0]?.drain(300)).toBe(false);
    expect(posts('CTHREAD')).toEqual([]);

    await notifier.send({ key: 'thread:root', channel: 'CTHREAD', text: 'ROLLBACK IN PROGRESS' });
    const reply = await slack.waitForCall((c) => c.params.text === 'step 1 running' && c.answer.ok, 5000);
    const [root] = posts('CTHREAD');
    expect(root?.params.text).toBe('ROLLBACK IN PROGRESS');
    expect(reply.params.thread_ts).toBe(root?.answer.ts);
    expect(reply.at - (root as RecordedCall).at).toBeGreaterThanOrEqual(1000);
  });

  it(
    'rides out a Slack outage: afterwards every message goes out once, in order, with ' + 'its latest content',
    async () => {
      slack.setOutage(true);
      await notifier.send({ key: 'out:1', channel: 'COUT1', text: 'one v1' });
      await notifier.send({ key: 'out:2', channel: 'COUT1', text: 'two' });
      await notifier.send({ key: 'out:3', channel: 'COUT2', text: 'three' });
      start({ backoff: { minMs: 100, maxMs: 400 } });
      await waitUntil(
        async () => ((await row('out:1'))?.attempts ?? 0) >= 2 && ((await row('out:3'))?.attempts ?? 0) >= 2,
      );
      expect((await row('out:1'))?.last_error).toMatch(/HTTP 503/);
      await notifier.send({ key: 'out:1', channel: 'COUT1', text: 'one v2' });
      await notifier.send({ key: 'out:4', channel: 'COUT1', text: 'four' });
      expect(slack.calls.filter((c) => String(c.params.channel).startsWith('COUT'))).toEqual([]);

      slack.setOutage(false);
      expect(await workers[0]?.drain(10_000)).toBe(true);
      expect(posts('COUT1').map((c) => c.params.text)).toEqual(['one v2', 'two', 'four']);
      expect(posts('COUT2').map((c) => c.params.text)).toEqual(['three']);
      const outageChannels = slack.calls.filter((c) => String(c.params.channel).startsWith('COUT'));
      expect(outageChannels.filter((c) => c.method === 'chat.update' || c.status === 429)).toEqual([]);
    },
  );

  it(
    'backs off 1 s, 2 s, 4 s... on 5xx, capped, by the injected clock; a lost ' +
      'connection waits to settle and is looked for first',
    async () => {
      const clock = new ManualClock();
      // A dropped connection is never recorded by the stand-in: hence "recorded" below.
      slack.inject('chat.postMessage', { status: 503 }, { drop: true }, { status: 500 }, { status: 503 });
      await notifier.send({ key: 'back:1', channel: 'CBACK', text: 'eventually' });
      start({ clock, backoff: { minMs: 1000, maxMs: 4000 }, unknownSettleMs: 3000 });
      const steps = [
        { attempt: 1, wait: 1000, recorded: 1, error: /HTTP 503/ },
        // The connection dropped after the request went out: Slack may have the message, so the next attempt waits and
        // looks first.
        { attempt: 2, wait: 3000, recorded: 1, error: /Could not reach Slack/ },
        { attempt: 3, wait: 4000, recorded: 2, error: /HTTP 500/ },
        { attempt: 4, wait: 4000, recorded: 3, error: /HTTP 503/ },
      ];
      for (const { attempt, wait, recorded, error } of steps) {
        await waitUntil(async () => (await row('back:1'))?.attempts === attempt);
        const stored = await row('back:1');
        expect((stored?.next_attempt_at.getTime() ?? 0) - clock.now().getTime()).toBe(wait);
        expect(stored?.last_error).toMatch(error);
        expect(slack.calls.filter((c) => c.params.channel === 'CBACK' && c.method === 'chat.postMessage')).toHaveLength(
          recorded,
        );
        clock.advance(wait);
        workers[0]?.wake();
      }
      await slack.waitForCall((c) => c.params.channel === 'CBACK' && c.method === 'chat.postMessage' && c.answer.ok);
      expect(
        slack.calls.filter((c) => c.params.channel === 'CBACK' && c.method === 'conversations.history'),
      ).toHaveLength(1);
      expect(backoffMs(0, 1000, 60_000)).toBe(1000);
      expect(backoffMs(6, 1000, 60_000)).toBe(60_000);
    },
  );
});

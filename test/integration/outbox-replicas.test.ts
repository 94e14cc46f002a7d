/**
 * The Slack outbox across replicas and restarts, and when Slack says no for
 * good: two workers on one database, terminal errors, direct messages,
 * durability, and a crashed worker's channel taken over.
 */
import { Writable } from 'node:stream';
import { webApi } from '@slack/bolt';
import { createLogger, silentLogger } from '../../src/logger';
import type { Notifier } from '../../src/slack/outbox/notifier';
import {
  type OutboxWorker,
  type OutboxWorkerOptions,
  createSlackNotifier,
  startOutboxWorker,
} from '../../src/slack/outbox';
import { claimGate } from '../../src/slack/outbox/outbox-queries';
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
  ['CR1', 'CR2', 'CR3', 'CBAD', 'CGOOD', 'CDUR', 'CLEASE'].map((c) => [c, c.toLowerCase()]),
);
const section = (text: string) => ({ type: 'section' as const, text: { type: 'mrkdwn' as const, text } });

describe('Slack outbox across replicas, restarts and refusals', () => {
  const database = testDatabase('outbox_replicas');
  let db: Db;
  let slack: SlackStandin;
  let client: webApi.WebClient;
  let notifier: Notifier;
  const workers: OutboxWorker[] = [];
  const extraDbs: Db[] = [];

  const start = (options: Partial<OutboxWorkerOptions> = {}): OutboxWorker => {
    const worker = startOutboxWorker({ db, client, logger: silentLogger, pollMs: 50, ...options });
    workers.push(worker);
    return worker;
  };
  const okCalls = (method: string, channel?: string): RecordedCall[] =>
    slack.calls.filter(
      (c) =>
        c.method === method &&
        c.answer.ok &&
        (channel === undefined || c.answer.channel === channel || c.params.channel === channel),
    );
  const row = async (key: string) =>
    (
      await db.query<{
        version: number;
        sent_version: number;
        failed_version: number;
        last_error: string | null;
        channel: string | null;
      }>({
        text: 'SELECT version, sent_version, failed_version, last_error, channel FROM slack_outbox WHERE key = $1',
        values: [key],
      })
    )[0];

  beforeAll(async () => {
    await database.create();
    db = createDb(database.url, silentLogger);
    await migrate(db, silentLogger);
    slack = await startSlackStandin({
      token: TOKEN,
      channels: CHANNELS,
      users: { U0CTO: { name: 'cto' } },
      postsPerChannelPerSecond: 1,
    });
    client = new webApi.WebClient(TOKEN, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logger: quietSlackLogger,
    });
    notifier = createSlackNotifier(db);
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  });
  afterAll(async () => {
    await Promise.all(extraDbs.map((d) => d.close()));
    await slack.stop();
    await db.close();
    await database.drop();
  });

  it('two workers on two pools deliver each version exactly once and keep the pace between them', async () => {
    const otherDb = createDb(database.url, silentLogger);
    extraDbs.push(otherDb);
    const keys = ['CR1', 'CR2', 'CR3'].flatMap((channel) =>
      [1, 2, 3].map((n) => ({ key: `rep:${channel}:${n}`, channel })),
    );
    for (const { key, channel } of keys) await notifier.send({ key, channel, text: `${key} v1` });
    const one = start({ concurrency: 3 });
    const two = startOutboxWorker({ db: otherDb, client, logger: silentLogger, pollMs: 50, concurrency: 3 });
    workers.push(two);
    await slack.waitForCall((c) => c.params.text === 'rep:CR1:1 v1' && c.answer.ok);
    for (const { key, channel } of keys) await notifier.send({ key, channel, text: `${key} v2` });
    expect(await one.drain(15_000)).toBe(true);

    const writes = slack.calls.filter(
      (c) =>
        String(c.params.channel).startsWith('CR') && (c.method === 'chat.postMessage' || c.method === 'chat.update'),
    );
    const texts = writes.map((c) => String(c.params.text));
    expect(new Set(texts).size).toBe(texts.length);
    expect(writes.filter((c) => c.status === 429)).toEqual([]);
    for (const { key, channel } of keys) {
      expect(
        okCalls('chat.postMessage', channel).filter((c) => String(c.params.text).startsWith(`${key} `)),
      ).toHaveLength(1);
      const ts = (
        await db.query<{ ts: string }>({ text: 'SELECT ts FROM slack_outbox WHERE key = $1', values: [key] })
      )[0]?.ts;
      expect(slack.workspace.messages.get(`${channel}:${ts}`)?.text).toBe(`${key} v2`);
    }
    for (const channel of ['CR1', 'CR2', 'CR3']) {
      const times = writes.filter((c) => c.params.channel === channel).map((c) => c.at);
      times.slice(1).forEach((t, i) => expect(t - (times[i] as number)).toBeGreaterThanOrEqual(1000));
    }
  });

  it(
    'parks a message its channel refuses (retried slowly, logged with the key and the ' +
      'fix), sends refused blocks as text, and keeps the other messages moving',
    async () => {
      const lines: Array<Record<string, unknown>> = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
          done();
        },
      });
      await notifier.send({ key: 'bad:channel', channel: 'C404', text: 'nobody will see this' });
      await notifier.send({
        key: 'bad:blocks',
        channel: 'CBAD',
        text: 'too many blocks',
        blocks: Array.from({ length: 51 }, () => section('x')),
      });
      await notifier.send({ key: 'bad:after', channel: 'CBAD', text: 'behind the bad one' });
      await notifier.send({ key: 'good:1', channel: 'CGOOD', text: 'fine' });
      const worker = start({ logger: createLogger('info', sink) });
      expect(await worker.drain(10_000)).toBe(true);
      slack.inject('chat.postMessage', { error: 'not_in_channel' });
      await notifier.send({ key: 'bad:member', channel: 'CGOOD', text: 'not a member yet' });
      expect(await worker.drain(5000)).toBe(true);

      expect(okCalls('chat.postMessage').map((c) => c.params.text)).toEqual(
        expect.arrayContaining(['too many blocks', 'behind the bad one', 'fine']),
      );
      expect(await row('bad:channel')).toMatchObject({
        failed_version: 0,
        sent_version: 0,
        last_error: expect.stringMatching(/channel_not_found.*retrying slowly.*Check the channel id/),
      });
      expect(await row('bad:blocks')).toMatchObject({ sent_version: 1, last_error: null });
      expect((await row('bad:member'))?.last_error).toMatch(/not_in_channel.*\/invite/);
      const errors = lines.filter((l) => l.level === 'error');
      expect([...new Set(errors.map((l) => l.key))].sort()).toEqual(['bad:blocks', 'bad:channel', 'bad:member']);
      expect(
        errors.every((l) => typeof l.fix === 'string' && /retrying slowly|without blocks/.test(String(l.msg))),
      ).toBe(true);

      // A corrected version goes out as an update of the text-only post, with its blocks.
      await notifier.send({ key: 'bad:blocks', channel: 'CBAD', text: 'fixed', blocks: [section('ok')] });
      expect(await worker.drain(5000)).toBe(true);
      expect(await row('bad:blocks')).toMatchObject({ version: 2, sent_version: 2, last_error: null });
      expect(okCalls('chat.update', 'CBAD').map((c) => JSON.parse(String(c.params.blocks)))).toEqual([[section('ok')]]);
    },
  );

  it('opens a direct message once per user, then posts and updates there', async () => {
    await notifier.sendDirect('U0CTO', 'dm:cto:1', 'Rollback executed after hours by the on-call engineer');
    const worker = start();
    const first = await slack.waitForCall(
      (c) => c.method === 'chat.postMessage' && String(c.params.text).startsWith('Rollback executed') && c.answer.ok,
    );
    expect(first.params.channel).toMatch(/^D/);
    await notifier.sendDirect('U0CTO', 'dm:cto:2', 'Rollback complete');
    await notifier.sendDirect('U0CTO', 'dm:cto:1', 'Rollback executed after hours (edited)');
    expect(await worker.drain(5000)).toBe(true);

    expect(slack.calls.filter((c) => c.method === 'conversations.open')).toHaveLength(1);
    expect(okCalls('chat.postMessage', String(first.params.channel)).map((c) => c.params.text)).toEqual([
      'Rollback executed after hours by the on-call engineer',
      'Rollback complete',
    ]);
    expect(okCalls('chat.update').find((c) => c.params.ts === first.answer.ts)?.params.text).toBe(
      'Rollback executed after hours (edited)',
    );

    await notifier.sendDirect('U0GHOST', 'dm:ghost', 'no such user');
    expect(await worker.drain(5000)).toBe(true);
    expect((await row('dm:ghost'))?.last_error).toMatch(/user_not_found/);
    await expect(notifier.sendDirect('nobody', 'dm:x', 'x')).rejects.toMatchObject({ code: 'bad_input' });
    await expect(notifier.send({ key: 'k', channel: ' ', text: 'x' })).rejects.toMatchObject({ code: 'bad_input' });
    await expect(notifier.send({ key: 'k', channel: 'CDUR', threadKey: 'k', text: 'x' })).rejects.toMatchObject({
      code: 'bad_input',
    });
  });

  it('keeps stored messages across a restart: nothing is lost and nothing is posted twice', async () => {
    const before = createDb(database.url, silentLogger);
    const beforeNotifier = createSlackNotifier(before);
    await beforeNotifier.send({ key: 'dur:root', channel: 'CDUR', text: 'ROLLBACK IN PROGRESS' });
    const first = startOutboxWorker({ db: before, client, logger: silentLogger, pollMs: 50 });
    await slack.waitForCall((c) => c.params.channel === 'CDUR' && c.answer.ok);
    await first.stop();
    await beforeNotifier.send({ key: 'dur:root', channel: 'CDUR', text: 'ROLLBACK COMPLETE' });
    await beforeNotifier.send({ key: 'dur:reply', channel: 'CDUR', threadKey: 'dur:root', text: 'verified' });
    await before.close();

    const after = createDb(database.url, silentLogger);
    extraDbs.push(after);
    const second = startOutboxWorker({ db: after, client, logger: silentLogger, pollMs: 50 });
    workers.push(second);
    expect(await second.drain(5000)).toBe(true);
    expect(okCalls('chat.postMessage', 'CDUR').map((c) => c.params.text)).toEqual(['ROLLBACK IN PROGRESS', 'verified']);
    expect(okCalls('chat.update', 'CDUR').map((c) => c.params.text)).toEqual(['ROLLBACK COMPLETE']);
    expect(await createSlackNotifier(after).sentTs('dur:root')).toBe(okCalls('chat.postMessage', 'CDUR')[0]?.answer.ts);
  });

  it("takes over a crashed worker's channel only when its lease runs out", async () => {
    await notifier.send({ key: 'lease:1', channel: 'CLEASE', text: 'after the lease' });
    const leasedAt = Date.now();
    const [claimed] = await db.query<{ gate: string }>(
      claimGate(new Date(), new Date(leasedAt + 1500), 'crashed-worker:1'),
    );
    expect(claimed?.gate).toBe('CLEASE');
    start();
    const sent = await slack.waitForCall((c) => c.params.channel === 'CLEASE' && c.answer.ok, 5000);
    expect(sent.at - leasedAt).toBeGreaterThanOrEqual(1500);
    expect(okCalls('chat.postMessage', 'CLEASE')).toHaveLength(1);
  });
});

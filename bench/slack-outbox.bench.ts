/**
 * Issue 6's messages through the Slack outbox: what storing first and posting
 * from a worker adds to "signed /rollback to ROLLBACK IN PROGRESS" (whose p99
 * budget is 300 ms), beside the same post made directly with the WebClient;
 * how many Slack calls a burst of progress updates costs; and how fast a
 * backlog drains after a Slack outage, beside the pace floor.
 */
import { benchDatabase } from './support';
import { webApi } from '@slack/bolt';
import { silentLogger } from '../src/logger';
import { createSlackNotifier, startOutboxWorker } from '../src/slack/outbox';
import { startSlackStandin } from '../src/standins/slack/server';
import { migrate } from '../src/store/migrate';
import { createDb } from '../src/store/pool';
import type { Bench, BenchResult } from './types';
import { percentile } from './types';

const TOKEN = 'xoxb-bench';
const LATENCY_MESSAGES = 200;
const UPDATES = 100;
const BACKLOG_CHANNELS = 5;
const BACKLOG_PER_CHANNEL = 4;

const round = (ms: number): number => Math.round(ms * 10) / 10;

/** A fixed target, not one derived from the run's own duration. */
const BURST_CALLS_TARGET = 3;

export const bench: Bench = {
  name: 'slack-outbox',
  async run(): Promise<BenchResult[]> {
    const database = await benchDatabase('outbox');
    const db = createDb(database.url, silentLogger);
    const channels = Object.fromEntries(
      Array.from({ length: LATENCY_MESSAGES * 2 + BACKLOG_CHANNELS + 1 }, (_, i) => [`C${i}`, `c${i}`]),
    );
    const slack = await startSlackStandin({ token: TOKEN, channels, postsPerChannelPerSecond: 1 });
    const client = new webApi.WebClient(TOKEN, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
    const results: BenchResult[] = [];
    try {
      await migrate(db, silentLogger);
      const worker = startOutboxWorker({ db, client, logger: silentLogger });
      const notifier = createSlackNotifier(db, { onStored: () => worker.wake() });

      // Each message to its own channel, so the measured time is the outbox's own and not the pace.
      const outbox: number[] = [];
      const direct: number[] = [];
      for (let i = 0; i < LATENCY_MESSAGES; i += 1) {
        const text = `latency ${i}`;
        const t0 = performance.now();
        await notifier.send({ key: `bench:${i}`, channel: `C${i}`, text });
        await slack.waitForCall((c) => c.params.text === text && c.answer.ok);
        outbox.push(performance.now() - t0);
        const t1 = performance.now();
        await client.chat.postMessage({ channel: `C${LATENCY_MESSAGES + i}`, text: `direct ${i}` });
        direct.push(performance.now() - t1);
      }
      const p99 = percentile(outbox, 99);
      results.push({
        name: 'send() to chat.postMessage at Slack, p99',
        value: round(p99),
        unit: 'ms',
        target: '<= 300 ms (the whole /rollback to post budget)',
        pass: p99 <= 300,
        comparison:
          `direct WebClient chat.postMessage p99 ${round(percentile(direct, 99))} ms (p50 ` +
          `${round(percentile(direct, 50))}); outbox p50 ${round(percentile(outbox, 50))} ` +
          `ms`,
        method:
          `${LATENCY_MESSAGES} messages one after another, each to its own channel, worker ` +
          `woken by the notifier; stand-in Slack on localhost, PostgreSQL on localhost`,
      });

      const burstStart = performance.now();
      for (let i = 0; i < UPDATES; i += 1)
        await notifier.send({ key: 'bench:progress', channel: 'C0', text: `progress ${i}` });
      const last = `progress ${UPDATES - 1}`;
      await slack.waitForCall((c) => c.params.text === last && c.answer.ok, 10_000);
      const burstMs = performance.now() - burstStart;
      const burstCalls = slack.calls.filter(
        (c) => c.params.channel === 'C0' && String(c.params.text).startsWith('progress'),
      ).length;
      results.push({
        name: `Slack calls for ${UPDATES} updates of one message`,
        value: burstCalls,
        unit: 'calls',
        target: `<= ${BURST_CALLS_TARGET} (the burst lasts about a second: one call per second, + 1)`,
        pass: burstCalls <= BURST_CALLS_TARGET,
        comparison:
          `calling chat.update for each: ${UPDATES} calls; last content at Slack ` +
          `${Math.round(burstMs)} ms after the first update`,
        method: `${UPDATES} send() calls back to back on one key, worker running`,
      });

      slack.setOutage(true);
      const backlog: string[] = [];
      for (let n = 0; n < BACKLOG_PER_CHANNEL; n += 1) {
        for (let c = 0; c < BACKLOG_CHANNELS; c += 1) {
          const channel = `C${LATENCY_MESSAGES * 2 + c}`;
          backlog.push(`${channel} ${n}`);
          await notifier.send({ key: `bench:backlog:${channel}:${n}`, channel, text: `${channel} ${n}` });
        }
      }
      await new Promise((r) => setTimeout(r, 3000));
      slack.setOutage(false);
      const back = performance.now();
      const drained = await worker.drain(60_000);
      const catchUpMs = performance.now() - back;
      const floorMs = (BACKLOG_PER_CHANNEL - 1) * 1000;
      const delivered = backlog.every(
        (text) => slack.calls.filter((c) => c.params.text === text && c.answer.ok).length === 1,
      );
      results.push({
        name: 'catch-up after a 3 s Slack outage',
        value: Math.round(catchUpMs),
        unit: 'ms',
        target: `<= ${floorMs + 4500} ms (the 4 s back-off step a 3 s outage reaches + the pace floor + 0.5 s)`,
        pass: drained && delivered && catchUpMs <= floorMs + 4500,
        comparison:
          `pace floor ${floorMs} ms (${BACKLOG_PER_CHANNEL} posts per channel at 1/s); ` +
          `every message once: ${delivered}`,
        method:
          `${BACKLOG_CHANNELS * BACKLOG_PER_CHANNEL} messages over ${BACKLOG_CHANNELS} ` +
          `channels stored during a stand-in outage (HTTP 503), default back-off 1 s..60 s`,
      });
      await worker.stop();
    } finally {
      await slack.stop();
      await db.close();
      await database.drop();
    }
    return results;
  },
};

/**
 * The alert-ingest benchmark's HTTP load part: the mixed alert messages as signed
 * Events API callbacks to `rollback-bot start`, timed until every one is stored,
 * beside a bare Bolt app that only acks; then the bare app's memory under a storm,
 * for the storm part's side by side.
 */
import type { SlackStandin } from '../src/standins/slack/server';
import { freePort } from '../src/store/embedded';
import { alertmanagerSlack } from '../test/unit/signals/slack-builders';
import {
  AUTH_DOWN,
  CONCURRENCY,
  SECRET,
  STORM,
  eventBodies,
  mixedMessage,
  rssDuring,
  startBareBolt,
  startBotProcess,
  storedCount,
} from './alert-ingest-support';
import { type LoadResult, sendEvents } from './event-load';
import { stopChild } from './support';
import type { BenchResult } from './types';

const HTTP_MESSAGES = 10_000;

/** The endpoint's rate, and the bare Bolt app's resident memory growth during a storm. */
export async function httpThroughput(
  slack: SlackStandin,
  dir: string,
): Promise<{ result: BenchResult; bareGrowth: { peak: number; settled: number } }> {
  const base = Date.now();
  const mixed = eventBodies(
    Array.from({ length: HTTP_MESSAGES }, (_, i) => mixedMessage(i, new Date(base + i))),
    'mix',
  );
  const bot = await startBotProcess(slack, dir, 'http');
  let http: LoadResult;
  try {
    http = await sendEvents(
      bot.url,
      SECRET,
      mixed,
      dir,
      CONCURRENCY,
      async () => (await storedCount(bot.db)) >= HTTP_MESSAGES,
      { idlePath: '/healthz' },
    );
  } finally {
    await bot.stop();
  }
  const barePort = await freePort();
  const bare = await startBareBolt(slack, barePort);
  const bareCount = async (): Promise<number> =>
    Number(await (await fetch(`http://127.0.0.1:${barePort}/count`)).text());
  const bareRun = await sendEvents(
    `http://127.0.0.1:${barePort}/slack/events`,
    SECRET,
    mixed,
    dir,
    CONCURRENCY,
    async () => (await bareCount()) >= HTTP_MESSAGES,
    { idlePath: '/count' },
  );
  await stopChild(bare.child);
  // The same storm-sized load on a bare Bolt app, for the memory side by side.
  const bareForMemory = await startBareBolt(slack, barePort);
  const bareGrowth = await rssDuring(bareForMemory.child.pid as number, async () => {
    const stormBodies = eventBodies(
      Array.from({ length: STORM }, (_, i) => alertmanagerSlack([AUTH_DOWN], new Date(Date.now() + i))),
      'bare',
    );
    await sendEvents(
      `http://127.0.0.1:${barePort}/slack/events`,
      SECRET,
      stormBodies,
      dir,
      CONCURRENCY,
      async () => (await bareCount()) >= STORM,
      { idlePath: '/count' },
    );
  });
  await stopChild(bareForMemory.child);
  const rate = Math.round((HTTP_MESSAGES / http.ms) * 1000);
  const result: BenchResult = {
    name: 'alert messages through the bot’s Slack endpoint, until stored',
    value: rate,
    unit: 'messages/s',
    target: '>= 2000 messages/s',
    pass: rate >= 2000 && http.failed === 0,
    comparison:
      `a bare Bolt app whose message listener only counts, the same events: ` +
      `${Math.round((HTTP_MESSAGES / bareRun.ms) * 1000)}/s; ${http.failed} refused; ` +
      `load from ` +
      `${http.generator === 'wrk' ? 'wrk (2 threads)' : 'a Node loader (wrk not installed)'}`,
    method:
      `${HTTP_MESSAGES} signed Events API callbacks (the mix above) from a separate ` +
      `process, ${CONCURRENCY} at a time over keep-alive, to \`rollback-bot start\` ` +
      `(its own process, LOG_LEVEL=info): signature, delivery dedupe in PostgreSQL, ` +
      `listener, intake; timed until every message is counted in PostgreSQL`,
  };
  return { result, bareGrowth };
}

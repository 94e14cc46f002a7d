/**
 * The alert-ingest benchmark's storm part: 10,000 alert messages about one failure
 * to `rollback-bot start` make exactly one incident and at most 10 Slack posts; the
 * bot's resident memory growth during it, beside the same storm of chatter no
 * parser takes and a bare Bolt app's growth (measured by the HTTP load part).
 */
import type { SlackStandin } from '../src/standins/slack/server';
import { alertmanagerSlack } from '../test/unit/signals/slack-builders';
import {
  AUTH_DOWN,
  CONCURRENCY,
  SECRET,
  SETTLE_S,
  STORM,
  eventBodies,
  poll,
  rssDuring,
  startBotProcess,
  storedCount,
} from './alert-ingest-support';
import { type LoadResult, sendEvents } from './event-load';
import type { BenchResult } from './types';

/** Incidents, posts and memory growth for the storm; `bareGrowth` is the bare Bolt app's under the same storm. */
export async function stormResults(
  slack: SlackStandin,
  dir: string,
  bareGrowth: { peak: number; settled: number },
): Promise<BenchResult[]> {
  const results: BenchResult[] = [];

  const chatter = eventBodies(
    Array.from({ length: STORM }, (_, i) => ({
      text: `anyone seen the deploy notes? ${i}`,
      user: 'U0DEVOPS1',
      ts: `${Math.floor(Date.now() / 1000)}.${String(i).padStart(6, '0')}`,
    })),
    'chat',
  );
  const chatterBot = await startBotProcess(slack, dir, 'chatter');
  let chatterGrowth: { peak: number; settled: number };
  try {
    chatterGrowth = await rssDuring(chatterBot.child.pid as number, async () => {
      await sendEvents(
        chatterBot.url,
        SECRET,
        chatter,
        dir,
        CONCURRENCY,
        async () =>
          ((await chatterBot.db.query<{ n: number }>('SELECT count(*)::int AS n FROM slack_deliveries')).rows[0]?.n ??
            0) >= STORM,
        { idlePath: '/healthz' },
      );
    });
  } finally {
    await chatterBot.stop();
  }

  const storm = await startBotProcess(slack, dir, 'storm');
  try {
    const postsBefore = slack.callsOf('chat.postMessage').length;
    const updatesBefore = slack.callsOf('chat.update').length;
    const stormBase = Date.now();
    const bodies = eventBodies(
      Array.from({ length: STORM }, (_, i) => alertmanagerSlack([AUTH_DOWN], new Date(stormBase + i))),
      'storm',
    );
    let acked: LoadResult = { ms: 0, failed: 0, generator: 'node' };
    const growth = await rssDuring(storm.child.pid as number, async () => {
      acked = await sendEvents(
        storm.url,
        SECRET,
        bodies,
        dir,
        CONCURRENCY,
        async () => (await storedCount(storm.db)) >= STORM,
        { idlePath: '/healthz' },
      );
      // The detect job's next 30-second slot opens the incident; then its posts go out.
      await poll(
        async () => (await storm.db.query<{ n: number }>('SELECT count(*)::int AS n FROM incidents')).rows[0]?.n ?? 0,
        (n) => n > 0,
        45_000,
        'an incident',
      );
      await poll(
        async () =>
          (
            await storm.db.query<{ n: number }>(
              'SELECT count(*)::int AS n FROM slack_outbox WHERE version > sent_version',
            )
          ).rows[0]?.n ?? 0,
        (n) => n === 0,
        30_000,
        'the outbox drained',
      );
    });
    const incidents = (await storm.db.query<{ n: number }>('SELECT count(*)::int AS n FROM incidents')).rows[0]?.n ?? 0;
    const posts = slack.callsOf('chat.postMessage').length - postsBefore;
    results.push({
      name: 'incidents from a storm of 10,000 messages about one failure',
      value: incidents,
      unit: 'incidents',
      target: 'exactly 1',
      pass: incidents === 1 && acked.failed === 0,
      comparison:
        `${STORM} AuthDown notifications stored in ${Math.round(acked.ms)} ms; autopilot ` +
        `off, so the incident asks Roll back / Hotfix / Monitor`,
      method:
        `signed events from a separate process, ${CONCURRENCY} at a time, to ` +
        `\`rollback-bot start\`, then the detect job’s next cron slot (every 30 s)`,
    });
    results.push({
      name: 'Slack posts for that storm (incident thread included)',
      value: posts,
      unit: 'posts',
      target: '<= 10',
      pass: posts <= 10,
      comparison:
        `and ${slack.callsOf('chat.update').length - updatesBefore} chat.update calls ` +
        `(messages are updated in place, never re-posted)`,
      method: 'chat.postMessage calls the Slack stand-in recorded from the storm until the outbox drained',
    });
    results.push({
      name: 'resident memory growth of the bot process during that storm, at its peak',
      value: Math.round(growth.peak),
      unit: 'MB',
      target: '< 50 MB',
      pass: growth.peak < 50,
      comparison:
        `${Math.round(growth.settled)} MB ${SETTLE_S} s after the last post; the same ` +
        `${STORM} events as chatter no parser takes (signature, delivery claim, no ` +
        `signal): peak ${Math.round(chatterGrowth.peak)} MB, ` +
        `${Math.round(chatterGrowth.settled)} MB settled; a bare Bolt app that only acks ` +
        `the same storm: peak ${Math.round(bareGrowth.peak)} MB, ` +
        `${Math.round(bareGrowth.settled)} MB settled`,
      method:
        'VmRSS of the bot process sampled every 100 ms from 2 s after ready until the ' +
        'storm was stored, the incident opened and every post sent, then after the settle ' +
        'time',
    });
  } finally {
    await storm.stop();
  }
  return results;
}

/**
 * Issue 7's detection targets:
 * - ingest at least 2,000 alert messages per second: through the intake in
 *   process (parse + storm window + batched write to PostgreSQL), and through
 *   the bot's real Slack endpoint (`rollback-bot start` as its own process,
 *   signed Events API callbacks from another process, 32 at a time, counted
 *   once every one is stored), beside a bare Bolt app that only acks;
 * - a storm of 10,000 alert messages about one failure makes exactly one
 *   incident and at most 10 Slack posts, with resident memory growth under
 *   50 MB: the bot process's peak and settled growth, beside the same storm
 *   of chatter no parser takes (what Bolt and the delivery dedupe cost alone).
 *   (No figure is taken inside this process: it has already handled the
 *   50,000-message pipeline, so its growth would measure a warmed-up heap.)
 * The messages are the tools' real Slack formats (Alertmanager, Grafana,
 * Datadog, Sentry, a person's report), built with the tests' builders.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlackStandin } from '../src/standins/slack/server';
import { CHANNEL, TOKEN } from './alert-ingest-support';
import { httpThroughput } from './alert-ingest-http';
import { intakeThroughput } from './alert-ingest-intake';
import { stormResults } from './alert-ingest-storm';
import type { Bench, BenchResult } from './types';

export const bench: Bench = {
  name: 'alert-ingest',
  async run(): Promise<BenchResult[]> {
    const results: BenchResult[] = [];
    results.push(await intakeThroughput());

    const dir = mkdtempSync(join(tmpdir(), 'rollback-bot-alert-bench-'));
    const slack = await startSlackStandin({
      token: TOKEN,
      users: { U0DEVOPS1: { name: 'devops' }, U0CTO0001: { name: 'cto' } },
      usergroups: { S0ONCALL1: ['U0DEVOPS1'] },
      channels: { [CHANNEL]: 'prod-alerts' },
    });
    try {
      const http = await httpThroughput(slack, dir);
      results.push(http.result);
      results.push(...(await stormResults(slack, dir, http.bareGrowth)));
    } finally {
      await slack.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    return results;
  },
};

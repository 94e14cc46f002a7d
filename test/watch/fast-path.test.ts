/**
 * Alerts-channel messages are taken before Bolt (src/slack/alerts-fast-path.ts).
 * What Bolt guaranteed must still hold on that path: a forged or stale request
 * is refused and nothing is stored, a retried delivery counts once, an
 * oversized body is refused, and events that are not alerts-channel messages
 * (another channel, App Home) still reach Bolt's listeners.
 */
import { alertmanagerSlack } from '../unit/signals/slack-builders';
import { CHANNEL, alertRows, useDetectionWorld } from '../support/detection-world';
import { eventually } from '../support/wait';

const SERVICE = 'dr-amal-clinical-os';
const alert = {
  labels: { alertname: 'AuthDown', service: SERVICE, severity: 'critical' },
  annotations: { summary: 'Users cannot sign in' },
};

describe('alerts-channel fast path', () => {
  const ctx = useDetectionWorld('det_fast_path');
  const event = (fields: Record<string, unknown> = {}) => ({
    type: 'message',
    channel: CHANNEL,
    ...alertmanagerSlack([alert], ctx.world.clock.now()),
    ...fields,
  });
  const repeatsStored = async (): Promise<number> =>
    (await alertRows(ctx.world.db, SERVICE)).reduce((n, r) => n + Number(r.repeats), 0);

  it('refuses a forged and a stale alert message with 401 and stores nothing', async () => {
    const forged = await ctx.world.bot.sender.event(
      event(),
      {},
      { signature: 'v0=0000000000000000000000000000000000000000000000000000000000000000' },
    );
    const stale = await ctx.world.bot.sender.event(event(), {}, { skewSeconds: -600 });
    expect([forged.status, stale.status]).toEqual([401, 401]);
    // A good one after them is stored: the refused ones were never taken.
    expect((await ctx.world.bot.sender.event(event())).status).toBe(200);
    await eventually(repeatsStored, (n) => n >= 1, 10_000, 'the signed alert');
    expect(await repeatsStored()).toBe(1);
  });

  it('counts a delivery Slack retries three times once', async () => {
    const before = await repeatsStored();
    const eventId = 'EvFASTRETRY1';
    for (let retry = 0; retry <= 3; retry += 1) {
      const answer = await ctx.world.bot.sender.event(event(), { eventId }, retry === 0 ? {} : { retryNum: retry });
      expect(answer.status).toBe(200);
    }
    await eventually(repeatsStored, (n) => n > before, 10_000, 'the retried alert');
    // One more distinct delivery, then nothing else may have arrived from the retries.
    await ctx.world.bot.sender.event(event());
    await eventually(repeatsStored, (n) => n >= before + 2, 10_000, 'the next alert');
    expect(await repeatsStored()).toBe(before + 2);
  });

  it('answers 413 to a body over the limit', async () => {
    const answer = await ctx.world.bot.sender.event(event({ text: 'x'.repeat(600 * 1024) }));
    expect(answer.status).toBe(413);
  });

  it('hands other events to Bolt: a message in another channel is not an alert, App Home still opens', async () => {
    const before = await repeatsStored();
    expect((await ctx.world.bot.sender.event(event({ channel: 'C0ELSEWHERE' }))).status).toBe(200);
    const home = await ctx.world.bot.sender.event({
      type: 'app_home_opened',
      user: 'U0DEVOPS1',
      tab: 'home',
      channel: 'D0HOME',
    });
    expect(home.status).toBe(200);
    await eventually(
      async () => ctx.world.slack.callsOf('views.publish').length,
      (n) => n > 0,
      10_000,
      'App Home published by Bolt',
    );
    expect(await repeatsStored()).toBe(before);
  });
});

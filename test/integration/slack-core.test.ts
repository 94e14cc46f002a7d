/**
 * The Slack core over real HTTP: signed requests to the running bot, the
 * Slack stand-in, a real database. Proves signature checks, /rollback help and
 * usage answers, delivery dedupe across replicas, health/readiness/metrics,
 * and that secrets never reach the logs.
 */
import { Client } from 'pg';
import { testDatabase } from '../support/database';
import { BOT_TOKEN, SIGNING_SECRET, type TestBot, startTestBot } from '../support/bot';

describe('Slack core', () => {
  const database = testDatabase('slack_core');
  let bot: TestBot;

  beforeAll(async () => {
    await database.create();
    bot = await startTestBot({ databaseUrl: database.url });
  });
  afterAll(async () => {
    await bot?.stop();
    await database.drop();
  });

  const countDeliveries = async (): Promise<number> => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM slack_deliveries');
    await client.end();
    return Number(rows[0]?.n);
  };

  it('answers /rollback help with an ephemeral usage text', async () => {
    const response = await bot.sender.slashCommand({ text: 'help', userId: 'U0DEVOPS1' });
    expect(response.status).toBe(200);
    const body = response.json() as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toContain('/rollback revert <service> <commit>');
    expect(body.text).toContain('/rollback preflight <service>');
  });

  it('answers an unknown subcommand or service with the usage text and the known services', async () => {
    const body = (await bot.sender.slashCommand({ text: 'frobnicate now', userId: 'U0DEVOPS1' })).json() as {
      response_type: string;
      text: string;
    };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toMatch(/Unknown subcommand or service `frobnicate`/);
    expect(body.text).toContain('`dr-amal-clinical-os`');
    expect(body.text).toContain('*Usage of /rollback*');
  });

  it('explains a malformed command', async () => {
    const body = (
      await bot.sender.slashCommand({ text: 'revert dr-amal-clinical-os', userId: 'U0DEVOPS1' })
    ).json() as { text: string };
    expect(body.text).toMatch(/needs a service and a commit/);
  });

  it('refuses forged and stale requests with 401 and stores nothing', async () => {
    const before = await countDeliveries();
    const forged = await bot.sender.slashCommand({ text: 'help', userId: 'U0DEVOPS1' }, { signature: 'v0=deadbeef' });
    const stale = await bot.sender.slashCommand({ text: 'help', userId: 'U0DEVOPS1' }, { skewSeconds: -600 });
    expect(forged.status).toBe(401);
    expect(stale.status).toBe(401);
    expect(await countDeliveries()).toBe(before);
  });

  it('answers 400 to a signed but unparseable body', async () => {
    const response = await bot.sender.send('{not json', 'application/json');
    expect(response.status).toBe(400);
  });

  it('handles a delivery once when Slack retries it or a second replica receives it', async () => {
    const other = await startTestBot({ databaseUrl: database.url, slack: bot.slack });
    try {
      const triggerId = '1234.5678.abcdef0123';
      const first = await bot.sender.slashCommand({ text: 'help', userId: 'U0DEVOPS1', triggerId });
      const again = await other.sender.slashCommand({ text: 'help', userId: 'U0DEVOPS1', triggerId }, { retryNum: 1 });
      expect(first.json()).toMatchObject({ response_type: 'ephemeral' });
      expect(again.status).toBe(200);
      expect(again.text).toBe('');
      const event = { type: 'app_mention', user: 'U0DEVOPS1', text: 'hi', channel: 'C0PRODALRT', ts: '1.1' };
      await bot.sender.event(event, { eventId: 'Ev0SAME' });
      await other.sender.event(event, { eventId: 'Ev0SAME' }, { retryNum: 1 });
      await bot.sender.event(event, { eventId: 'Ev0SAME' }, { retryNum: 2 });
      const client = new Client({ connectionString: database.url });
      await client.connect();
      const { rows } = await client.query(
        "SELECT delivery_key FROM slack_deliveries WHERE delivery_key IN ('event:Ev0SAME', $1)",
        [`trigger:${triggerId}`],
      );
      await client.end();
      expect(rows).toHaveLength(2);
      const metrics = await (await fetch(`${bot.baseUrl}/metrics`)).text();
      expect(metrics).toMatch(/rollback_bot_slack_deliveries_total\{kind="event",outcome="duplicate"\} 1/);
    } finally {
      await other.stop();
    }
  });

  it('serves /healthz, /readyz and Prometheus /metrics', async () => {
    expect((await fetch(`${bot.baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${bot.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    const metrics = await fetch(`${bot.baseUrl}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toContain('rollback_bot_slack_ack_seconds_bucket');
  });

  it('never writes the bot token or the signing secret to the logs', async () => {
    await bot.sender.slashCommand({ text: 'help', userId: 'U0DEVOPS1' }, { signature: 'v0=forged' });
    const logs = bot.logs.join('');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(BOT_TOKEN);
    expect(logs).not.toContain(SIGNING_SECRET);
  });
});

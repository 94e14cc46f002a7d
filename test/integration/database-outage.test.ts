/**
 * A database that goes away: /readyz fails, commands get a polite "try again"
 * (nothing half done), and the bot recovers by itself when the server returns.
 * Uses its own embedded server so the test can stop and restart it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../src/store/embedded';
import { TRY_AGAIN } from '../../src/slack/middleware/dedupe';
import { type TestBot, startTestBot } from '../support/bot';

describe('database outage', () => {
  let dir: string;
  let server: EmbeddedPostgres;
  let bot: TestBot;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rollback-bot-outage-'));
    server = await startEmbeddedPostgres({ dataDir: join(dir, 'data') });
    bot = await startTestBot({ databaseUrl: server.url });
  });
  afterAll(async () => {
    await bot?.stop();
    await server?.discard().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports not ready and answers "try again" while the database is down, then recovers', async () => {
    expect((await fetch(`${bot.baseUrl}/readyz`)).status).toBe(200);
    await server.stop();

    const ready = await fetch(`${bot.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'database unreachable' });
    const refused = await bot.sender.slashCommand({ text: 'help', userId: 'U0DEVOPS1' });
    expect(refused.status).toBe(200);
    expect(refused.json()).toEqual({ response_type: 'ephemeral', text: TRY_AGAIN });
    expect((await fetch(`${bot.baseUrl}/healthz`)).status).toBe(200);

    server = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), port: server.port });
    expect((await fetch(`${bot.baseUrl}/readyz`)).status).toBe(200);
    const answered = await bot.sender.slashCommand({ text: 'help', userId: 'U0DEVOPS1' });
    expect((answered.json() as { text: string }).text).toContain('*Usage of /rollback*');
  });
});

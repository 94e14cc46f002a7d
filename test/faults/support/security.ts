/**
 * What the security fault tests share: the bot's world with a webhook secret, one POST per
 * connection, Slack-signed headers, and counts that prove nothing was done for a refused request.
 */
import { request } from 'node:http';
import { signature } from '../../../src/standins/slack/signed-requests';
import { SIGNING_SECRET } from '../../support/bot';
import { useWorld } from '../../support/incident-world';
import { rows } from '../../support/database';

export const WEBHOOK_SECRET = 'webhook-secret-for-faults';

/** One POST on its own connection (an oversized body must not spoil a kept-alive socket for the next test). */
export function post(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent: false, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    // The server may answer 413 and close before the whole body is written.
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
    );
    req.end(body);
  });
}

export const signedHeaders = (
  body: string,
  contentType: string,
  at = Math.floor(Date.now() / 1000),
): Record<string, string> => ({
  'content-type': contentType,
  'x-slack-request-timestamp': String(at),
  'x-slack-signature': signature(SIGNING_SECRET, String(at), body),
});

/** The bot's world for a security test, with the Slack events URL and the counts a refusal must leave alone. */
export function useSecurityWorld(label: string) {
  const ctx = useWorld(label, { env: { WEBHOOK_SECRET } });
  const events = () => `${ctx.world.bot.baseUrl}/slack/events`;
  const deliveries = async (): Promise<number> =>
    Number((await rows<{ n: string }>(ctx.database.url, 'SELECT count(*) AS n FROM slack_deliveries'))[0]?.n);
  const incidents = async (): Promise<number> =>
    Number((await rows<{ n: string }>(ctx.database.url, 'SELECT count(*) AS n FROM incidents'))[0]?.n);
  const stillServes = async (): Promise<void> => {
    const help = await ctx.world.bot.sender.slashCommand({ text: 'help', userId: 'U0NOBODY1' });
    expect((help.json() as { text: string }).text).toContain('*Usage of /rollback*');
  };
  return { ctx, events, deliveries, incidents, stillServes };
}

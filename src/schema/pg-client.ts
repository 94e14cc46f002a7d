/**
 * One connection of its own for a piece of work on an app, shadow or scratch
 * database (not the bot's: that is src/store/pool.ts), named so that
 * pg_stat_activity says which part of the bot holds it, and always closed.
 */
import { Client } from 'pg';

export async function withClient<T>(
  url: string,
  applicationName: string,
  fn: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client({ connectionString: url, application_name: applicationName });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

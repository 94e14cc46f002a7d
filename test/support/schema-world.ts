/**
 * The schema rollback's world for e2e tests: the bot's world (incident-world)
 * plus a Prisma-style app database built from the fixture migrations, whose
 * folders are also in the app repository at the deployed commit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CatalogSnapshot, readCatalog } from '../../src/schema/rollback/catalog';
import { APP_MIGRATIONS, applyMigration } from '../schema/support/prisma-app';
import { withClient } from './database';
import { type TestDatabase, testDatabase } from './database';
import { type World, startWorld } from './incident-world';

const INIT = '20260114000000_init';
export const AI = '20260117000000_add_ai_features';

const folder = (name: string): Record<string, string> => ({
  [`prisma/migrations/${name}/migration.sql`]: readFileSync(join(APP_MIGRATIONS, name, 'migration.sql'), 'utf8'),
});

interface SchemaWorld {
  readonly world: World;
  readonly bot: TestDatabase;
  readonly app: TestDatabase;
  /** The app database's catalog as deployed (after the AI migration), for "nothing changed" checks. */
  readonly deployed: CatalogSnapshot;
}

/**
 * Registers beforeAll/afterAll for a describe block. `seed` fills the app
 * database: before and after the AI migration.
 */
export function useSchemaWorld(
  label: string,
  seed: { afterInit(url: string): Promise<void>; afterAi(url: string): Promise<void> },
  /** More overrides of the service (e.g. its flags). */
  service: Record<string, unknown> = {},
): SchemaWorld {
  const bot = testDatabase(`${label}_bot`);
  const app = testDatabase(`${label}_app`);
  let world: World | undefined;
  let deployed: CatalogSnapshot | undefined;
  beforeAll(async () => {
    await Promise.all([bot.create(), app.create()]);
    await applyMigration(app.url, INIT);
    await seed.afterInit(app.url);
    await applyMigration(app.url, AI);
    await seed.afterAi(app.url);
    deployed = await withClient(app.url, readCatalog);
    world = await startWorld({
      databaseUrl: bot.url,
      goodFiles: folder(INIT),
      badFiles: folder(AI),
      service: { ...service, database: { urlEnv: 'APP_DATABASE_URL', migrationsDir: 'prisma/migrations' } },
      env: { APP_DATABASE_URL: app.url },
    });
  });
  afterAll(async () => {
    await world?.stop();
    await Promise.all([bot.drop(), app.drop()]);
  });
  return {
    get world(): World {
      if (!world) throw new Error('the world starts in beforeAll');
      return world;
    },
    bot,
    app,
    get deployed(): CatalogSnapshot {
      if (!deployed) throw new Error('the app database is built in beforeAll');
      return deployed;
    },
  };
}

/**
 * A throwaway Prisma project for one test: migration folders written to a
 * temporary directory, a fresh database (optionally with a non-UTC
 * TimeZone), migrations applied one by one as Prisma does, and helpers to
 * read every value of a table by primary key.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../src/logger';
import { ManualClock } from '../../../src/rollback/clock';
import { parseMigrationName, type SlackUserId } from '../../../src/rollback/ids';
import type { RecordedApproval } from '../../../src/rollback/ports/approval';
import type { SchemaRollbackPlan } from '../../../src/rollback/ports/schema';
import { PrismaSchemaAdapter } from '../../../src/schema/prisma-schema-adapter';
import { serverUrl, testDatabase } from '../../support/database';
import { applyMigration } from './prisma-app';
import { withClient } from '../../support/database';

const clock = new ManualClock('2026-01-17T12:00:00Z');

function ctoApproval(incidentId = 'inc-1'): RecordedApproval {
  return {
    approvalId: 'ap-1',
    incidentId,
    action: 'schema-rollback',
    approvedBy: 'U0CTO' as SlackUserId,
    role: 'cto',
    approvedAt: new Date('2026-01-17T11:55:00Z'),
    expiresAt: new Date('2026-01-17T12:25:00Z'),
  };
}

interface ScratchProject {
  readonly url: string;
  readonly dir: string;
  readonly adapter: PrismaSchemaAdapter;
  create(): Promise<void>;
  drop(): Promise<void>;
  /** Writes the migration folders (name -> SQL); apply them with `apply`. */
  write(migrations: Record<string, string>): void;
  apply(name: string, edit?: (sql: string) => string): Promise<void>;
  plan(name: string): Promise<SchemaRollbackPlan>;
  execute(plan: SchemaRollbackPlan): ReturnType<PrismaSchemaAdapter['execute']>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Every row of `table` as text (under the database's TimeZone), keyed by the primary key `id`. */
  values(table: string): Promise<Record<string, Record<string, string | null>>>;
}

export function scratchProject(label: string, options: { timeZone?: string } = {}): ScratchProject {
  const db = testDatabase(label);
  const dir = mkdtempSync(join(tmpdir(), `rollback-bot-${label}-`));
  const adapter = new PrismaSchemaAdapter({
    logger: silentLogger,
    clock,
    shadow: { serverUrl: serverUrl() },
    lockTimeoutMs: 5000,
  });
  const query = <T>(sql: string, params: unknown[] = []): Promise<T[]> =>
    withClient(db.url, async (c) => (await c.query(sql, params)).rows as T[]);
  return {
    url: db.url,
    dir,
    adapter,
    create: async () => {
      await db.create();
      if (options.timeZone) await query(`ALTER DATABASE "${db.name}" SET "TimeZone" = '${options.timeZone}'`);
    },
    drop: db.drop,
    write: (migrations) => {
      for (const [name, sql] of Object.entries(migrations)) {
        mkdirSync(join(dir, name), { recursive: true });
        writeFileSync(join(dir, name, 'migration.sql'), sql);
      }
    },
    apply: (name, edit) => applyMigration(db.url, name, dir, edit),
    plan: (name) =>
      adapter.planRollback({ databaseUrl: db.url, migrationsDir: dir, migrationName: parseMigrationName(name) }),
    execute: (plan) => adapter.execute({ databaseUrl: db.url, plan, approval: ctoApproval(), incidentId: 'inc-1' }),
    query,
    values: async (table) => {
      const rows = await query<{ id: string; row: Record<string, string | null> }>(
        `SELECT t.id::text AS id, (SELECT jsonb_object_agg(key, value) FROM ` +
          `jsonb_each_text(to_jsonb(t))) AS row FROM "${table}" t ORDER BY t.id`,
      );
      return Object.fromEntries(rows.map((r) => [r.id, r.row]));
    },
  };
}

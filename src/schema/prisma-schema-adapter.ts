/** The schema port for Prisma Migrate apps on PostgreSQL. */
import { withClient } from './pg-client';
import type { Logger } from '../logger';
import type { Clock } from '../rollback/clock';
import type { MigrationName } from '../rollback/ids';
import type {
  ExecuteRequest,
  MigrationStatus,
  PlanRequest,
  ReconcileResult,
  SchemaPort,
  SchemaRollbackPlan,
  SchemaRollbackResult,
} from '../rollback/ports/schema';
import { ARCHIVE_SCHEMA } from './rollback/catalog';
import { executeRollback } from './rollback/execute-rollback';
import { planRollback } from './rollback/plan-rollback';
import type { ShadowOptions } from './rollback/shadow';
import { buildStatus, readMigrationFolders, readMigrationRows, stateOf } from './status/read-status';

interface PrismaSchemaDeps {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly shadow?: ShadowOptions;
  readonly lockTimeoutMs?: number;
}

export class PrismaSchemaAdapter implements SchemaPort {
  constructor(private readonly deps: PrismaSchemaDeps) {}

  async status(databaseUrl: string, migrationsDir: string): Promise<MigrationStatus> {
    const folders = readMigrationFolders(migrationsDir);
    return buildStatus(folders, await withClient(databaseUrl, 'rollback-bot schema', readMigrationRows));
  }

  planRollback(request: PlanRequest): Promise<SchemaRollbackPlan> {
    return planRollback(request, this.deps.shadow);
  }

  execute(request: ExecuteRequest): Promise<SchemaRollbackResult> {
    return executeRollback(request, {
      logger: this.deps.logger,
      clock: this.deps.clock,
      ...(this.deps.lockTimeoutMs ? { lockTimeoutMs: this.deps.lockTimeoutMs } : {}),
    });
  }

  /** After a crash: the transaction either committed (rolled back, archives listed) or left nothing behind. */
  async reconcile(databaseUrl: string, migrationName: MigrationName): Promise<ReconcileResult> {
    return withClient(databaseUrl, 'rollback-bot schema', async (client) => {
      const rows = (await readMigrationRows(client)).filter((r) => r.migration_name === migrationName);
      const manifest = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [
        `"${ARCHIVE_SCHEMA}"."manifest"`,
      ]);
      const archives = manifest.rows[0]?.t
        ? await client.query<{ archive_table: string }>(
            `SELECT archive_table FROM "${ARCHIVE_SCHEMA}"."manifest" WHERE migration_name = $1 ORDER BY 1`,
            [migrationName],
          )
        : { rows: [] };
      return {
        migrationName,
        state: rows.length === 0 ? 'unknown' : stateOf(rows),
        archivedTables: archives.rows.map((r) => `${ARCHIVE_SCHEMA}.${r.archive_table}`),
      };
    });
  }
}

/**
 * Checklist item "Test Schema Migration Rollback" on the staging database:
 * two test migrations applied the way `prisma migrate deploy` does (a table,
 * then a column holding data), the second rolled back by the bot's schema
 * worker (plan proven on a shadow database, values archived, migration marked
 * rolled back) with a simulated CTO approval, the schema and the data checked,
 * the archive restored after applying the migration again, and everything the
 * drill added removed. The app's own tables are never touched.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../../logger';
import { systemClock } from '../../rollback/clock';
import { approvalExpiresAt } from '../../rollback/incident/approval-expiry';
import type { MigrationName, SlackUserId } from '../../rollback/ids';
import { ARCHIVE_SCHEMA } from '../../schema/rollback/catalog';
import { restoreArchive } from '../../schema/rollback/restore-archive';
import { PrismaSchemaAdapter } from '../../schema/prisma-schema-adapter';
import { archiveManifest, columnsOf, migrateDeploy, migrationRows, queryText, withClient } from '../app-database';
import { drillTable } from './prepare';
import { type PartResult, type StagingContext, runPart } from './parts';

function migrations(runId: string): { table: { name: string; sql: string }; column: { name: string; sql: string } } {
  const table = drillTable(runId);
  return {
    table: {
      name: `29990101000000_rollback_drill_${runId}_table`,
      sql:
        `CREATE TABLE "${table}" ("id" SERIAL NOT NULL, "note" TEXT NOT NULL, CONSTRAINT ` +
        `"${table}_pkey" PRIMARY KEY ("id"));\n`,
    },
    column: {
      name: `29990101000001_rollback_drill_${runId}_column`,
      sql: `ALTER TABLE "${table}" ADD COLUMN "drillValue" TEXT;\n`,
    },
  };
}

async function removeDrillObjects(url: string, runId: string, names: string[]): Promise<void> {
  await withClient(url, async (client) => {
    await client.query(`DROP TABLE IF EXISTS "${drillTable(runId)}"`);
    const manifest = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [
      `"${ARCHIVE_SCHEMA}"."manifest"`,
    ]);
    if (manifest.rows[0]?.t) {
      const archives = await client.query<{ archive_table: string }>(
        `SELECT archive_table FROM "${ARCHIVE_SCHEMA}"."manifest" WHERE migration_name = ANY($1::text[])`,
        [names],
      );
      for (const row of archives.rows)
        await client.query(`DROP TABLE IF EXISTS "${ARCHIVE_SCHEMA}"."${row.archive_table.replace(/"/g, '""')}"`);
      await client.query(`DELETE FROM "${ARCHIVE_SCHEMA}"."manifest" WHERE migration_name = ANY($1::text[])`, [names]);
    }
    await client.query('DELETE FROM "_prisma_migrations" WHERE migration_name = ANY($1::text[])', [names]);
  });
}

export function stagingSchemaRollback(ctx: StagingContext): Promise<PartResult> {
  return runPart('Test Schema Migration Rollback (staging database)', async (facts) => {
    const { target, service } = ctx;
    const url = target.appDatabaseUrl;
    const { table, column } = migrations(target.runId);
    const names = [table.name, column.name];
    const dir = join(ctx.dir, 'migrations');
    for (const m of [table, column]) {
      mkdirSync(join(dir, m.name), { recursive: true });
      writeFileSync(join(dir, m.name, 'migration.sql'), m.sql);
    }
    const problems: string[] = [];
    try {
      await migrateDeploy(url, [table, column]);
      await withClient(url, (client) =>
        client.query(
          `INSERT INTO "${drillTable(target.runId)}" (note, "drillValue") SELECT 'row ' || ` +
            `g, 'value ' || g FROM generate_series(1, 25) g`,
        ),
      );
      const snapshot =
        `SELECT coalesce(json_agg(json_build_object('id', id, 'drillValue', "drillValue") ` +
        `ORDER BY id), '[]')::text FROM "${drillTable(target.runId)}"`;
      const before = await queryText(url, snapshot);
      facts.push(`Applied ${table.name} and ${column.name}; wrote 25 rows with values in the new column.`);
      ctx.note(`applied two test migrations on the staging database (table "${drillTable(target.runId)}")`);

      const worker = new PrismaSchemaAdapter({
        logger: createLogger('silent'),
        clock: systemClock,
        shadow: { serverUrl: ctx.shadowServerUrl },
      });
      const plan = await worker.planRollback({
        databaseUrl: url,
        migrationsDir: dir,
        migrationName: column.name as MigrationName,
      });
      facts.push(
        `Plan: ${plan.steps.map((s) => s.sql).join('; ')}; proven on a shadow database ` +
          `with ${(plan.sampledRows ?? []).reduce((n, t) => n + t.rows, 0)} sampled live ` +
          `row(s): ` +
          `${plan.verifiedOnShadow && plan.verifiedWithData ? 'yes' : `no (${plan.shadowDifferences.join('; ')})`}; ` +
          `estimate: ` +
          `${plan.dataLoss.map((l) => `${l.table.name}.${l.column ?? '*'} ${l.nonNullValues} value(s)`).join(', ')}.`,
      );
      if (!plan.verifiedOnShadow || !plan.verifiedWithData || plan.blockers.length > 0) {
        problems.push(`the rollback plan was not proven: ${[...plan.shadowDifferences, ...plan.blockers].join('; ')}`);
        return problems;
      }
      const cto = service.roles.cto[0] as SlackUserId;
      const now = systemClock.now();
      const incidentId = `INC-DRILL-${target.runId}`;
      const result = await worker.execute({
        databaseUrl: url,
        plan,
        incidentId,
        approval: {
          approvalId: `${incidentId}-A1`,
          incidentId,
          action: 'schema-rollback',
          approvedBy: cto,
          role: 'cto',
          approvedAt: now,
          expiresAt: approvalExpiresAt(now),
        },
      });
      facts.push(
        `Rolled back with a simulated approval by CTO ${cto}: ${result.statementsRun} ` +
          `statement(s); archived ` +
          `${result.archived.map((a) => `${a.archiveTable} (${a.rows} rows)`).join(', ')}.`,
      );
      if ((await columnsOf(url, drillTable(target.runId))).includes('drillValue'))
        problems.push('the column is still there after the rollback');
      if (!(await migrationRows(url, column.name)).some((r) => r.rolledBackAt !== null))
        problems.push(`${column.name} is not marked rolled back in _prisma_migrations`);
      if (problems.length > 0) return problems;
      facts.push('Schema reverted correctly: the column is gone and the migration is marked rolled back.');
      ctx.note('rolled back: the column is gone, its values archived');

      await migrateDeploy(url, [table, column]);
      const restored = await restoreArchive(url, column.name);
      const after = await queryText(url, snapshot);
      const open = (await archiveManifest(url)).filter((a) => a.incidentId === incidentId && !a.restored);
      if (after !== before || open.length > 0)
        problems.push('the restored values differ from those before the rollback: data was lost');
      else {
        facts.push(
          `No data loss: the migration applied again and ` +
            `${restored.map((r) => `${r.restoredRows} rows from ${r.archiveTable}`).join(', ')} ` +
            `restored, identical to before.`,
        );
        ctx.note('archive restored: every value is back');
      }
      return problems;
    } finally {
      await removeDrillObjects(url, target.runId, names).then(
        () => facts.push(`Removed the test table, its archives and its _prisma_migrations rows.`),
        (error: unknown) =>
          problems.push(
            `could not remove the drill's test objects (${(error as Error).message}); drop ` +
              `table "${drillTable(target.runId)}" and delete its _prisma_migrations rows by ` +
              `hand`,
          ),
      );
    }
  });
}

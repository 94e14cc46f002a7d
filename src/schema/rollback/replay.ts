/**
 * Applies migration files to the shadow database the way Prisma Migrate
 * applies them: a file in one transaction, except a file holding a statement
 * PostgreSQL refuses inside a transaction block (CREATE/DROP INDEX
 * CONCURRENTLY, ALTER TYPE ... ADD VALUE on servers before 12, VACUUM...),
 * which runs statement by statement outside one.
 */
import type { Client } from 'pg';
import { RollbackError } from '../../rollback/errors';
import { type ParsedStatement, loadParser, parseStatements } from '../sql/parse-sql';

export interface ReplayedMigration {
  readonly name: string;
  readonly sql: string;
}

/** True for a statement that cannot run inside a transaction block on this server version. */
function needsNoTransaction(statement: ParsedStatement, serverVersion: number): boolean {
  const node = statement.node;
  switch (statement.kind) {
    case 'IndexStmt':
    case 'DropStmt':
    case 'ReindexStmt':
      return (
        node.concurrent === true ||
        (Array.isArray(node.params) && JSON.stringify(node.params).includes('"concurrently"'))
      );
    case 'AlterEnumStmt':
      return node.oldVal === undefined && serverVersion < 120000;
    case 'VacuumStmt':
    case 'CreatedbStmt':
    case 'DropdbStmt':
    case 'AlterSystemStmt':
    case 'CreateTableSpaceStmt':
    case 'DropTableSpaceStmt':
      return true;
    default:
      return false;
  }
}

async function serverVersion(client: Client): Promise<number> {
  const r = await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
  return Number(r.rows[0]?.v ?? 0);
}

export async function replay(client: Client, migrations: readonly ReplayedMigration[]): Promise<void> {
  await loadParser();
  const version = await serverVersion(client);
  for (const migration of migrations) {
    let statements: ParsedStatement[] = [];
    let current: ParsedStatement | undefined;
    try {
      statements = parseStatements(migration.sql, migration.name);
      if (statements.some((s) => needsNoTransaction(s, version))) {
        for (const statement of statements) {
          current = statement;
          await client.query(statement.text);
        }
      } else {
        await client.query(`BEGIN;\n${migration.sql}\n;COMMIT;`);
      }
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      const where = current
        ? ` (statement at line ${current.line}, run outside a transaction as Prisma does for this file)`
        : '';
      throw new RollbackError(
        'external',
        `Replaying ${migration.name} into the shadow database failed${where}: ${(error as Error).message}`,
        {
          cause: error,
          fix:
            'The migrations folder does not rebuild the schema by itself; fix that migration, ' +
            'or plan the rollback by hand.',
        },
      );
    }
  }
}

/**
 * Runs an approved schema rollback: Prisma's advisory lock so `migrate
 * deploy` cannot race, a lock timeout, and one transaction that archives,
 * verifies, applies the inverse and marks the migration rolled back.
 * A lost connection leaves PostgreSQL to roll the transaction back. The
 * approval and the plan's proof are checked first (check-rollback-allowed.ts).
 */
import { Client } from 'pg';
import type { Logger } from '../../logger';
import type { Clock } from '../../rollback/clock';
import { RollbackError, isRollbackError } from '../../rollback/errors';
import type {
  ArchivedItem,
  ExecuteRequest,
  SchemaRollbackPlan,
  SchemaRollbackResult,
} from '../../rollback/ports/schema';
import { archiveTarget, ensureArchiveSchema } from './archive';
import { catalogLines, readCatalog } from './catalog';
import { checkApproval, refuseUnproven } from './check-rollback-allowed';
import { stateOf, type MigrationRow } from '../status/read-status';

/** The key `prisma migrate deploy` locks with (pg_advisory_lock(72707369)). */
export const PRISMA_ADVISORY_LOCK = 72707369;
/** PostgreSQL's "disk_full": it could not extend a file. */
const DISK_FULL = '53100';

interface ExecuteDeps {
  readonly logger: Logger;
  readonly clock: Clock;
  /** How long to wait for Prisma's lock and for table locks. */
  readonly lockTimeoutMs?: number;
}

function followUpFor(migrationName: string, source?: SchemaRollbackPlan['source']): string {
  if (source?.origin === 'added') {
    return (
      `The folder prisma/migrations/${migrationName} was already gone from the deploy ` +
      `branch head when the plan was made (its SQL came from commit ` +
      `${source.commit?.slice(0, 7) ?? 'unknown'}, which added it): check it stays out, ` +
      `or the next \`prisma migrate deploy\` applies it again.`
    );
  }
  return (
    `Remove the folder prisma/migrations/${migrationName} from the deploy branch (git ` +
    `revert the commit that added it), or the next \`prisma migrate deploy\` applies ` +
    `it again. The git worker can do this for you.`
  );
}

/**
 * Inside the rollback's transaction, after the inverse: the live catalog of
 * the affected objects must be the one the shadow had after the inverse.
 * Any difference throws, and the caller rolls the whole transaction back.
 */
async function verifyLiveCatalog(client: Client, plan: SchemaRollbackPlan): Promise<void> {
  const expected = plan.expectedCatalog;
  if (!expected) return;
  const owners = new Set(expected.owners);
  const live = new Set(
    catalogLines(await readCatalog(client))
      .filter((l) => owners.has(l.owner))
      .map((l) => l.text),
  );
  const want = new Set(expected.lines);
  const differences = [
    ...[...want].filter((l) => !live.has(l)).map((l) => `missing: ${l}`),
    ...[...live].filter((l) => !want.has(l)).map((l) => `extra: ${l}`),
  ];
  if (differences.length > 0) {
    throw new RollbackError(
      'conflict',
      `After the inverse the live schema of ${plan.migrationName}'s objects is not the ` +
        `one proven on the shadow database ` +
        `(${differences.slice(0, 5).join('; ')}${differences.length > 5 ? `; ${differences.length - 5} more` : ''}); ` +
        `the transaction was rolled back, nothing changed.`,
      {
        fix:
          'The live schema drifted from the migrations (changes made by hand?). Compare it ' +
          'with the migrations, then plan again.',
      },
    );
  }
}

const CONNECTION_LOST = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', 'ECONNRESET', 'EPIPE']);

function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : '';
  return (
    (code !== undefined && CONNECTION_LOST.has(code)) || /Connection terminated|not queryable|ended/i.test(message)
  );
}

export async function executeRollback(request: ExecuteRequest, deps: ExecuteDeps): Promise<SchemaRollbackResult> {
  const { plan, incidentId } = request;
  checkApproval(request.approval, incidentId);
  refuseUnproven(plan);
  if (plan.blockers.length > 0) {
    throw new RollbackError(
      'conflict',
      `The rollback plan for ${plan.migrationName} has blockers: ${plan.blockers.join(' ')}`,
      {
        fix: 'Resolve the blockers and plan again; nothing was changed.',
      },
    );
  }
  const log = deps.logger.child({ incidentId, migration: plan.migrationName });
  const client = new Client({
    connectionString: request.databaseUrl,
    application_name: 'rollback-bot schema rollback',
  });
  let lost: Error | undefined;
  client.on('error', (error) => {
    lost = error;
  });
  // Checksums the source while the main connection copies it (see archiveTarget); never writes.
  const side = new Client({
    connectionString: request.databaseUrl,
    application_name: 'rollback-bot schema rollback checksum',
  });
  side.on('error', () => undefined);
  await client.connect();
  let locked = false;
  try {
    await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(deps.lockTimeoutMs ?? 10_000))}`);
    try {
      await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK]);
      locked = true;
    } catch (error) {
      throw new RollbackError(
        'conflict',
        "Prisma's migration lock is held: a `prisma migrate deploy` is running against this database.",
        {
          cause: error,
          retryable: true,
          fix: 'Wait for the deploy to finish and run the rollback again; nothing was changed.',
        },
      );
    }
    await client.query('BEGIN');
    const rows = await client.query<MigrationRow>(
      'SELECT id, checksum, migration_name, started_at, finished_at, rolled_back_at, ' +
        'logs FROM "_prisma_migrations" WHERE migration_name = $1 FOR UPDATE',
      [plan.migrationName],
    );
    const state = stateOf(rows.rows);
    const applied = rows.rows.find((r) => r.finished_at !== null && r.rolled_back_at === null);
    if (state !== 'applied' || !applied) {
      throw new RollbackError(
        'conflict',
        `${plan.migrationName} is ${state} now, not applied; the plan is out of date.`,
        { fix: 'Check `migration status` and plan again; nothing was changed.' },
      );
    }
    if (applied.checksum !== plan.checksum) {
      throw new RollbackError(
        'conflict',
        `${plan.migrationName} was re-applied with a different checksum since the plan was made.`,
        { fix: 'Plan again and get a new approval; nothing was changed.' },
      );
    }
    await ensureArchiveSchema(client);
    const tag = `${incidentId}:${plan.migrationName}:${deps.clock.now().toISOString()}`;
    const archived: ArchivedItem[] = [];
    if (plan.steps.some((s) => s.archive)) await side.connect();
    for (const step of plan.steps) {
      if (step.archive)
        archived.push(
          await archiveTarget(client, step.archive, tag, { migrationName: plan.migrationName, incidentId }, { side }),
        );
      await client.query(step.sql);
    }
    await verifyLiveCatalog(client, plan);
    const marked = await client.query<{ rolled_back_at: Date }>(
      'UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE id = $1 RETURNING rolled_back_at',
      [applied.id],
    );
    await client.query('COMMIT');
    log.info({ archived: archived.length, steps: plan.steps.length }, 'schema rollback committed');
    return {
      migrationName: plan.migrationName,
      archived,
      statementsRun: plan.steps.length,
      rolledBackAt: marked.rows[0]?.rolled_back_at ?? deps.clock.now(),
      followUp: followUpFor(plan.migrationName, plan.source),
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (lost || isConnectionLoss(error)) {
      log.error({ err: error }, 'connection lost during schema rollback');
      throw new RollbackError(
        'unavailable',
        `The connection to the app database was lost during the rollback of ` +
          `${plan.migrationName}; PostgreSQL rolled the transaction back, so nothing was ` +
          `dropped, archived or marked.`,
        {
          cause: error,
          retryable: true,
          fix:
            'Check the database is reachable, run reconcile to confirm the migration is still ' +
            'applied, then run the rollback again.',
        },
      );
    }
    if (isRollbackError(error)) throw error;
    if ((error as { code?: string }).code === DISK_FULL) {
      const archivedValues = plan.dataLoss.reduce((sum, loss) => sum + loss.nonNullValues, 0);
      throw new RollbackError(
        'unavailable',
        `The app database ran out of disk space during the rollback of ${plan.migrationName}; ` +
          'PostgreSQL rolled the transaction back, so nothing was dropped, archived or marked.',
        {
          cause: error,
          retryable: true,
          fix:
            `Free space on the app database's disk (the archive copies ${archivedValues} value(s) before ` +
            'anything is dropped, so it needs room for them), then run the rollback again.',
        },
      );
    }
    throw new RollbackError(
      'external',
      `The schema rollback of ${plan.migrationName} failed and was rolled back: ${(error as Error).message}`,
      {
        cause: error,
        fix:
          'Nothing was changed. Fix the cause named above (a lock timeout means traffic ' +
          'held the table: retry in a quieter moment) and run it again.',
        retryable: (error as { code?: string }).code === '55P03',
      },
    );
  } finally {
    if (locked && !lost)
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK]).catch(() => undefined);
    await client.end().catch(() => undefined);
    await side.end().catch(() => undefined);
  }
}

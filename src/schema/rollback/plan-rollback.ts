/**
 * Plans the rollback of one applied migration: checks its status, derives the
 * inverse against a shadow database, proves it there, and estimates on the
 * live database what it would drop. Nothing is changed on the live database.
 */
import { withClient } from '../pg-client';
import { RollbackError } from '../../rollback/errors';
import type { LossEstimate, PlanRequest, SchemaRollbackPlan } from '../../rollback/ports/schema';
import { qualified, quoteIdent } from '../sql/ast';
import { loadParser, parseStatements } from '../sql/parse-sql';
import { readMigrationFolders, readMigrationRows, stateOf } from '../status/read-status';
import { primaryKeyColumns } from './archive';
import { readCatalog } from './catalog';
import { findMigrationSql, replayBefore } from './migration-source';
import { type ShadowProof, proveOnShadow } from './prove-on-shadow';
import { type ShadowOptions, createShadowDatabase, shadowServerUrl } from './shadow';

const ALTERNATIVES = [
  'Forward fix: ship a new migration that repairs the schema, keeping every row written since the deploy.',
  'Manual data repair: fix the bad rows with a reviewed SQL script instead of changing the schema.',
  'Feature flag: switch off the feature that uses the new schema and leave the schema in place.',
];

const RISKS = [
  'Data written since the deploy into the tables and columns the rollback drops ' +
    'leaves the live schema (it is archived, not kept in place).',
  "User actions during the broken period may be lost from the application's point of view.",
  'Audit trail gaps while archived values sit outside their tables.',
  'Compliance: HIPAA requires data retention; keep the archive schema until the ' +
    'data is restored or its retention is decided.',
];

export async function planRollback(request: PlanRequest, shadow: ShadowOptions = {}): Promise<SchemaRollbackPlan> {
  const { migrationName } = request;
  const folders = readMigrationFolders(request.migrationsDir);
  const rows = await withClient(request.databaseUrl, 'rollback-bot plan', readMigrationRows);
  const own = rows.filter((r) => r.migration_name === migrationName);
  const state = stateOf(own);
  if (own.length === 0) {
    throw new RollbackError(
      'not_found',
      `${migrationName} is not in _prisma_migrations: it was never applied to this database.`,
      {
        fix: 'Pick an applied migration from `migration status`.',
      },
    );
  }
  if (state === 'failed') {
    throw new RollbackError(
      'conflict',
      `${migrationName} failed when it was applied, so there is nothing applied to roll back.`,
      {
        fix: 'Undo its partial changes by hand, then mark it with `prisma migrate resolve --rolled-back`.',
      },
    );
  }
  if (state === 'rolled-back') {
    throw new RollbackError('conflict', `${migrationName} is already rolled back.`, {
      fix: 'Nothing to do; remove its folder from the deploy branch if not done yet.',
    });
  }
  const applied = own.find((r) => r.finished_at !== null && r.rolled_back_at === null);
  // After an application rollback the folder given (the serving commit's) may lack the migration: git has it.
  const manifest = request.elsewhere;
  const sourced = findMigrationSql(migrationName, folders, manifest, request.migrationsDir, applied?.checksum);
  const target = sourced.folder;
  const appliedChecksums = new Map(
    rows.filter((r) => r.finished_at !== null && r.rolled_back_at === null).map((r) => [r.migration_name, r.checksum]),
  );
  // A migration recorded but not applied now (rolled back, failed) is not part of the live schema: the shadow skips it
  // too.
  const recordedOnly = new Set(
    rows.filter((r) => !appliedChecksums.has(r.migration_name)).map((r) => r.migration_name),
  );
  const earlier = replayBefore(sourced, folders, manifest, request.migrationsDir, appliedChecksums).filter(
    (m) => !recordedOnly.has(m.name),
  );
  await loadParser();
  const statements = parseStatements(target.sql, target.path);

  const liveTimeZone = await withClient(
    request.databaseUrl,
    'rollback-bot plan',
    async (c) => (await c.query<{ tz: string }>(`SELECT current_setting('TimeZone') AS tz`)).rows[0]?.tz ?? 'UTC',
  );
  const database = await createShadowDatabase(await shadowServerUrl(shadow, request.databaseUrl));
  let proof: ShadowProof;
  try {
    proof = await proveOnShadow({
      shadowUrl: database.url,
      liveUrl: request.databaseUrl,
      liveTimeZone,
      earlier,
      target,
      statements,
    });
  } finally {
    await database.drop();
  }
  const { inverse, differences } = proof;

  const { dataLoss, blockers } = await withClient(request.databaseUrl, 'rollback-bot plan', async (client) => {
    const loss: LossEstimate[] = [];
    const problems: string[] = [];
    for (const step of inverse.steps) {
      if (!step.archive) continue;
      const table = step.archive.table;
      try {
        if (step.archive.kind === 'column') {
          if ((await primaryKeyColumns(client, table)).length === 0) {
            problems.push(`"${table.name}" has no primary key to archive "${step.archive.column}" by.`);
          }
          const r = await client.query<{ rows: string; nn: string }>(
            `SELECT count(*) AS rows, count(${quoteIdent(step.archive.column)}) AS nn FROM ${qualified(table)}`,
          );
          // The inverse SQL is our own (build-inverse.ts): a column step either drops it or converts its type back.
          const effect = /\bDROP COLUMN\b/.test(step.sql) ? 'dropped' : 'rewritten';
          loss.push({
            table,
            column: step.archive.column,
            effect,
            rows: Number(r.rows[0]?.rows ?? 0),
            nonNullValues: Number(r.rows[0]?.nn ?? 0),
          });
        } else {
          const cols = (await readCatalog(client)).columns.filter(
            (c) => c.schema === table.schema && c.table === table.name,
          );
          const counts = cols.map((c) => `count(${quoteIdent(c.name)})`).join(' + ') || '0';
          const r = await client.query<{ rows: string; nn: string }>(
            `SELECT count(*) AS rows, (${counts}) AS nn FROM ${qualified(table)}`,
          );
          loss.push({
            table,
            effect: 'dropped',
            rows: Number(r.rows[0]?.rows ?? 0),
            nonNullValues: Number(r.rows[0]?.nn ?? 0),
          });
        }
      } catch (error) {
        problems.push(`Could not estimate the loss for "${table.name}": ${(error as Error).message}.`);
      }
    }
    for (const check of inverse.notNullChecks) {
      const r = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${qualified(check.table)} WHERE ${quoteIdent(check.column)} IS NULL`,
      );
      const nulls = Number(r.rows[0]?.n ?? 0);
      if (nulls > 0)
        problems.push(
          `"${check.table.name}"."${check.column}" has ${nulls} nulls written since the ` +
            `migration; SET NOT NULL would fail. Repair them first.`,
        );
    }
    if (differences.length > 0) {
      problems.push(
        `Not proven on the shadow database with ` +
          `${proof.sampled.reduce((n, t) => n + t.rows, 0)} sampled live row(s): ` +
          `${differences.join('; ')}.`,
      );
    }
    return { dataLoss: loss, blockers: problems };
  });

  return {
    migrationName,
    checksum: applied?.checksum ?? target.checksum,
    steps: inverse.steps,
    irreversible: inverse.irreversible,
    blockers,
    dataLoss,
    verifiedOnShadow: differences.length === 0,
    shadowDifferences: differences,
    verifiedWithData: differences.length === 0,
    sampledRows: proof.sampled,
    expectedCatalog: proof.expected,
    alternatives: ALTERNATIVES,
    risks: RISKS,
    source: sourced.source,
  };
}

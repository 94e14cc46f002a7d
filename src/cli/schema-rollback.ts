/**
 * `rollback-bot schema-rollback <migration> --database-url URL --migrations <dir>
 *    [--execute --approved-by <name>] [--format text|json] [--shadow-server-url URL]`
 * The break-glass schema rollback (Slack down, CI, staging). Without
 * --execute it prints the plan (inverse SQL, data-loss estimate, shadow
 * verdict with data, blockers) and changes nothing; with it, it runs the same
 * archive-first, self-verifying rollback as the Slack path, the approver
 * recorded as the incident of the archives and, when DATABASE_URL reaches the
 * bot's migrated database, on its timeline (else the output says why not). The shadow database is a scratch
 * database created and dropped on the app database's server unless
 * --shadow-server-url names another.
 * Exit 0: the plan is sound, or the rollback succeeded; 1: refused, blocked
 * or failed (nothing changed); 2: usage error.
 */
import { resolve } from 'node:path';
import { createLogger, scrubSecrets } from '../logger';
import { systemClock } from '../rollback/clock';
import { approvalExpiresAt } from '../rollback/incident/approval-expiry';
import { isRollbackError } from '../rollback/errors';
import { type MigrationName, type SlackUserId, parseMigrationName } from '../rollback/ids';
import type { SchemaRollbackPlan, SchemaRollbackResult } from '../rollback/ports/schema';
import { PrismaSchemaAdapter } from '../schema/prisma-schema-adapter';
import { isFormat, readArgs, readFormat } from './args';
import { type TimelineRecord, recordOnBotTimeline } from './break-glass-timeline';
import type { CliIo } from './lint-migrations';

export const SCHEMA_ROLLBACK_USAGE =
  'Usage: rollback-bot schema-rollback <migration> --database-url URL --migrations ' +
  '<dir> [--execute --approved-by <name>] [--format text|json] [--shadow-server-url ' +
  'URL]\n';

interface Args {
  migration: MigrationName;
  databaseUrl: string;
  migrationsDir: string;
  execute: boolean;
  approvedBy?: string;
  format: 'text' | 'json';
  shadowServerUrl?: string;
}

function parseArgs(argv: readonly string[]): Args | string {
  const read = readArgs(
    argv,
    ['database-url', 'migrations', 'approved-by', 'format', 'shadow-server-url'],
    ['execute'],
  );
  if (typeof read === 'string') return read;
  const [migration, extra] = read.positionals;
  const v = read.values;
  const format = readFormat(v.format);
  if (!isFormat(format)) return format;
  if (extra !== undefined) return `unexpected argument ${extra}`;
  if (!migration) return 'name the migration to roll back (its folder name, e.g. 20260117000000_add_ai_features)';
  let name: MigrationName;
  try {
    name = parseMigrationName(migration);
  } catch {
    return `"${migration}" is not a migration folder name (digits, an underscore, a name)`;
  }
  if (!v['database-url']) return 'name the app database: --database-url URL';
  if (!v.migrations) return 'name the migrations folder: --migrations <dir>';
  const execute = v.execute === 'true';
  if (execute && !v['approved-by']?.trim())
    return '--execute needs --approved-by <name>: who approved this schema rollback';
  if (!execute && v['approved-by']) return '--approved-by only goes with --execute';
  return {
    migration: name,
    databaseUrl: v['database-url'],
    migrationsDir: resolve(v.migrations),
    execute,
    format,
    ...(v['approved-by'] ? { approvedBy: v['approved-by'].trim() } : {}),
    ...(v['shadow-server-url'] ? { shadowServerUrl: v['shadow-server-url'] } : {}),
  };
}

type Status = 'sound' | 'blocked' | 'rolled-back' | 'refused' | 'failed';

interface Outcome {
  status: Status;
  plan?: SchemaRollbackPlan;
  result?: SchemaRollbackResult;
  error?: string;
  approvedBy?: string;
  /** With --execute: the entry on the bot's own timeline, or why there is none. */
  timeline?: TimelineRecord;
}

function toJson(migration: string, o: Outcome): string {
  const plan = o.plan;
  return `${JSON.stringify(
    {
      status: o.status,
      migration,
      steps: plan?.steps.map((s) => ({ sql: s.sql, undoes: s.undoes, line: s.line })) ?? [],
      blockers: [...(plan?.blockers ?? []), ...(o.error ? [o.error] : [])],
      verifiedWithData: plan?.verifiedWithData === true,
      shadowDifferences: plan?.shadowDifferences ?? [],
      sampledRows: plan?.sampledRows ?? [],
      irreversible: plan?.irreversible ?? [],
      dataLoss: plan?.dataLoss ?? [],
      archived:
        o.result?.archived.map((a) => ({ archiveTable: a.archiveTable, rows: a.rows, checksum: a.checksum })) ?? [],
      ...(o.approvedBy ? { approvedBy: o.approvedBy } : {}),
      ...(o.timeline ? { timeline: o.timeline } : {}),
      ...(o.result ? { rolledBackAt: o.result.rolledBackAt.toISOString(), followUp: o.result.followUp } : {}),
    },
    null,
    2,
  )}\n`;
}

function toText(migration: string, o: Outcome): string {
  const plan = o.plan;
  const lines = [`Schema rollback of ${migration}: ${o.status}`];
  if (plan) {
    lines.push('', 'Inverse SQL:', ...(plan.steps.length ? plan.steps.map((s) => `  ${s.sql};`) : ['  (none)']));
    if (plan.irreversible.length)
      lines.push(
        '',
        'Cannot be undone:',
        ...plan.irreversible.map((i) => `  line ${i.line}: ${i.statement}\n    ${i.reason}`),
      );
    lines.push(
      '',
      'Data-loss estimate (archived first):',
      ...(plan.dataLoss.length
        ? plan.dataLoss.map(
            (l) =>
              `  ${l.table.schema}.${l.table.name}${l.column ? `.${l.column}` : ''}: ` +
              `${l.effect ?? 'dropped'}, ${l.rows} row(s), ${l.nonNullValues} value(s)`,
          )
        : ['  nothing']),
    );
    const sampled = (plan.sampledRows ?? []).map((s) => `${s.table.name} ${s.rows}`).join(', ') || 'no rows';
    lines.push(
      '',
      `Shadow check with data (${sampled}): ${plan.verifiedWithData ? 'verified' : 'NOT verified'}`,
      ...plan.shadowDifferences.map((d) => `  ${d}`),
    );
    if (plan.blockers.length) lines.push('', 'Blockers:', ...plan.blockers.map((b) => `  ${b}`));
  }
  if (o.error) lines.push('', o.error);
  if (o.timeline) {
    lines.push(
      '',
      o.timeline.recorded
        ? `Recorded on the bot's timeline (entry ${o.timeline.entryId}).`
        : `Not recorded on the bot's timeline: ${o.timeline.reason}.`,
    );
  }
  if (o.result) {
    lines.push(
      '',
      `Approved by ${o.approvedBy ?? '?'}; marked rolled back at ${o.result.rolledBackAt.toISOString()}.`,
      'Archived:',
      ...o.result.archived.map((a) => `  ${a.archiveTable}: ${a.rows} row(s)`),
      '',
      o.result.followUp,
    );
  } else if (o.status === 'sound') {
    lines.push('', 'Nothing was changed. Run again with --execute --approved-by <name> to roll back.');
  } else {
    lines.push('', 'Nothing was changed.');
  }
  return `${lines.join('\n')}\n`;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    io.stderr(`schema-rollback: ${args}\n${SCHEMA_ROLLBACK_USAGE}`);
    return 2;
  }
  const adapter = new PrismaSchemaAdapter({
    logger: createLogger('silent'),
    clock: systemClock,
    shadow: { serverUrl: args.shadowServerUrl ?? args.databaseUrl },
  });
  const outcome: Outcome = { status: 'refused', ...(args.approvedBy ? { approvedBy: args.approvedBy } : {}) };
  const explain = (error: unknown): string =>
    scrubSecrets(isRollbackError(error) ? error.explain() : (error as Error).message);
  try {
    outcome.plan = await adapter.planRollback({
      databaseUrl: args.databaseUrl,
      migrationsDir: args.migrationsDir,
      migrationName: args.migration,
    });
    const sound =
      outcome.plan.blockers.length === 0 && outcome.plan.verifiedOnShadow && outcome.plan.verifiedWithData === true;
    outcome.status = sound ? 'sound' : 'blocked';
    if (sound && args.execute) {
      const now = systemClock.now();
      const incidentId = `break-glass:${args.approvedBy ?? ''}`;
      try {
        outcome.result = await adapter.execute({
          databaseUrl: args.databaseUrl,
          plan: outcome.plan,
          incidentId,
          approval: {
            approvalId: `${incidentId}:${now.toISOString()}`,
            incidentId,
            action: 'schema-rollback',
            approvedBy: (args.approvedBy ?? '') as SlackUserId,
            role: 'cto',
            approvedAt: now,
            expiresAt: approvalExpiresAt(now),
          },
        });
        outcome.status = 'rolled-back';
      } catch (error) {
        outcome.status = 'failed';
        outcome.error = explain(error);
      }
    }
  } catch (error) {
    outcome.status = 'refused';
    outcome.error = explain(error);
  }
  if (args.execute) {
    outcome.timeline = await recordOnBotTimeline(io.env.DATABASE_URL, {
      actor: args.approvedBy ?? '',
      kind: 'schema_rollback_break_glass',
      message:
        `Break-glass schema rollback of ${args.migration}, approved by ` +
        `${args.approvedBy ?? '?'}: ${outcome.status}.`,
      data: {
        migration: args.migration,
        approvedBy: args.approvedBy,
        outcome: outcome.status,
        steps: outcome.plan?.steps.length ?? 0,
        archived: outcome.result?.archived.map((a) => ({ archiveTable: a.archiveTable, rows: a.rows })) ?? [],
        ...(outcome.error ? { error: outcome.error } : {}),
        ...(outcome.plan?.blockers.length ? { blockers: [...outcome.plan.blockers] } : {}),
      },
    });
  }
  io.stdout(args.format === 'json' ? toJson(args.migration, outcome) : toText(args.migration, outcome));
  return outcome.status === 'sound' || outcome.status === 'rolled-back' ? 0 : 1;
}

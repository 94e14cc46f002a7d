/**
 * What the incident engine asks of the schema worker (Prisma Migrate apps):
 * read migration status, plan the rollback of one applied migration (with
 * what would be lost and what cannot be undone), run it only with a CTO
 * approval, and reconcile after a crash by reading `_prisma_migrations`.
 * The app database URL comes from the env var named by
 * ServiceConfig.database.urlEnv; callers pass the URL itself.
 */
import type { MigrationName } from '../ids';
import type { RecordedApproval } from './approval';
import type { ElsewhereManifest } from './code';

type MigrationState = 'applied' | 'pending' | 'failed' | 'rolled-back';

export interface MigrationStatusEntry {
  readonly name: MigrationName;
  readonly state: MigrationState;
  /** The applied checksum differs from sha256(migration.sql) in the folder. */
  readonly checksumMismatch: boolean;
  /** Recorded in the database but missing from the folder. */
  readonly missingFromFolder: boolean;
  readonly finishedAt?: Date;
  readonly logs?: string;
}

export interface MigrationStatus {
  readonly entries: readonly MigrationStatusEntry[];
  /** Like `prisma migrate status`, one line per finding. */
  readonly summary: string;
}

export interface TableRef {
  readonly schema: string;
  readonly name: string;
}

export type ArchiveTarget =
  | { readonly kind: 'table'; readonly table: TableRef }
  | { readonly kind: 'column'; readonly table: TableRef; readonly column: string };

export interface InverseStep {
  /** Executable SQL, identifiers quoted. */
  readonly sql: string;
  /** The migration statement it undoes, and its line. */
  readonly undoes: string;
  readonly line: number;
  /** What this step drops or rewrites, archived before it runs. */
  readonly archive?: ArchiveTarget;
}

export interface IrreversibleItem {
  readonly statement: string;
  readonly line: number;
  readonly reason: string;
}

export interface LossEstimate {
  readonly table: TableRef;
  /** Absent when the whole table would be dropped. */
  readonly column?: string;
  /**
   * dropped: the values go (archived first); rewritten: the column is converted back to its earlier type (archived
   * first).
   */
  readonly effect?: 'dropped' | 'rewritten';
  readonly rows: number;
  readonly nonNullValues: number;
}

export interface SchemaRollbackPlan {
  readonly migrationName: MigrationName;
  /** The applied checksum the plan was made for; execute refuses if it changed. */
  readonly checksum: string;
  readonly steps: readonly InverseStep[];
  readonly irreversible: readonly IrreversibleItem[];
  /** Reasons execute would refuse (e.g. a table without a primary key to archive by). */
  readonly blockers: readonly string[];
  /** What the CTO approves: rows and non-null values per dropped table/column. */
  readonly dataLoss: readonly LossEstimate[];
  /** Applying the migration then the inverse on the shadow database gave back the earlier schema exactly. */
  readonly verifiedOnShadow: boolean;
  readonly shadowDifferences: readonly string[];
  /**
   * The shadow check ran with a sample of the live rows (up to 1,000 per
   * touched table, under the live TimeZone) and every sampled value came
   * back, compared by primary key.
   */
  readonly verifiedWithData?: boolean;
  /** Rows copied per touched table for that check. */
  readonly sampledRows?: readonly { readonly table: TableRef; readonly rows: number }[];
  /**
   * The catalog of the affected objects as the shadow had it after the
   * inverse: execution compares the live one with it inside its transaction
   * and rolls back on any difference.
   */
  readonly expectedCatalog?: { readonly owners: readonly string[]; readonly lines: readonly string[] };
  /** The runbook's alternatives, offered before a rollback. */
  readonly alternatives: readonly string[];
  /** Why a rollback is risky. */
  readonly risks: readonly string[];
  /** Where the migration.sql the inverse was derived from came from. */
  readonly source?: MigrationSqlSource;
}

export interface MigrationSqlSource {
  /**
   * folder: the migrations folder given (the commit production serves);
   * branch-head / added: not there, so read from the deploy branch head or
   * from the commit that added it.
   */
  readonly origin: 'folder' | 'branch-head' | 'added';
  /** The commit the SQL was read at, when known. */
  readonly commit?: string;
  /** The SQL's sha256 equals the checksum in _prisma_migrations. */
  readonly checksumMatches: boolean;
  /** One sentence for people: which commit the SQL came from. */
  readonly description: string;
}

export interface ArchivedItem {
  readonly archiveTable: string;
  readonly target: ArchiveTarget;
  readonly rows: number;
  readonly checksum: string;
}

export interface SchemaRollbackResult {
  readonly migrationName: MigrationName;
  readonly archived: readonly ArchivedItem[];
  readonly statementsRun: number;
  readonly rolledBackAt: Date;
  /** What the user must do next (remove the folder from the deploy branch). */
  readonly followUp: string;
}

export interface ReconcileResult {
  readonly migrationName: MigrationName;
  /** rolled-back: the transaction committed; otherwise nothing changed. */
  readonly state: MigrationState | 'unknown';
  readonly archivedTables: readonly string[];
}

export interface PlanRequest {
  readonly databaseUrl: string;
  readonly migrationsDir: string;
  readonly migrationName: MigrationName;
  /** What the export found in git beyond the folder's commit (ExportedMigrations.elsewhere). */
  readonly elsewhere?: ElsewhereManifest;
}

export interface ExecuteRequest {
  readonly databaseUrl: string;
  readonly plan: SchemaRollbackPlan;
  readonly approval: RecordedApproval | undefined;
  readonly incidentId: string;
}

export interface SchemaPort {
  status(databaseUrl: string, migrationsDir: string): Promise<MigrationStatus>;
  planRollback(request: PlanRequest): Promise<SchemaRollbackPlan>;
  execute(request: ExecuteRequest): Promise<SchemaRollbackResult>;
  reconcile(databaseUrl: string, migrationName: MigrationName): Promise<ReconcileResult>;
}

/**
 * What a lint rule is: an id, a class, why the statement is risky for the
 * code still running, and the runbook's two-phase way to do it safely.
 */
import type { ParsedStatement } from '../sql/parse-sql';
import type { RelationName } from '../sql/ast';

export type Severity = 'safe' | 'warning' | 'dangerous';
/** A file's verdict: its worst finding, or error when it does not parse. */
export type Verdict = Severity | 'error';

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { safe: 0, warning: 1, dangerous: 2 };

export interface Rule {
  readonly id: string;
  readonly severity: Severity;
  readonly why: string;
  readonly fix: string;
}

/** A question for the live database behind a finding ("how much would this lose", "does data comply"). */
export type LiveQuestion =
  | { readonly kind: 'table-rows'; readonly table: RelationName }
  /** Rows a DELETE's WHERE matches (`where` is its text). */
  | { readonly kind: 'matching-rows'; readonly table: RelationName; readonly where: string }
  | { readonly kind: 'column-values'; readonly table: RelationName; readonly column: string }
  | { readonly kind: 'nulls'; readonly table: RelationName; readonly column: string }
  | { readonly kind: 'duplicates'; readonly table: RelationName; readonly columns: readonly string[] }
  | {
      readonly kind: 'orphans';
      readonly table: RelationName;
      readonly columns: readonly string[];
      readonly refTable: RelationName;
      readonly refColumns: readonly string[];
    }
  | { readonly kind: 'check'; readonly table: RelationName; readonly expression: string };

export interface LiveAnswer {
  readonly rows?: number;
  readonly nonNullValues?: number;
  /** Rows that break the added constraint; 0 means the data already complies. */
  readonly violations?: number;
  readonly complies?: boolean;
  readonly error?: string;
}

export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  readonly line: number;
  readonly statement: string;
  readonly message: string;
  readonly fix: string;
  readonly live?: LiveAnswer;
}

/** A finding before it is tied to its statement, plus what to ask the live database. */
export interface RawFinding {
  readonly rule: Rule;
  readonly subject: string;
  readonly question?: LiveQuestion;
}

/**
 * What the file has done so far: Prisma runs a migration.sql in one transaction, so its new tables are empty and
 * unseen.
 */
export interface FileContext {
  readonly newTables: Set<string>;
  /** `schema.table.constraint` of foreign keys the file adds: dropping one of them first only replaces it. */
  readonly addedForeignKeys: ReadonlySet<string>;
  /** `schema.table.column` of columns added earlier in the file: no live data to ask about. */
  readonly addedColumns: Set<string>;
  /** `schema.table.new name` -> the column's live name, for columns renamed earlier in the file. */
  readonly renamedColumns: Map<string, string>;
  /** Tables created TEMP in the file: not schema, no findings. */
  readonly tempTables: Set<string>;
  /** Every statement of the file, for rules that look at what comes later (a dropped view created again). */
  readonly statements: readonly ParsedStatement[];
}

export function newFileContext(
  addedForeignKeys: ReadonlySet<string> = new Set(),
  statements: readonly ParsedStatement[] = [],
): FileContext {
  return {
    newTables: new Set(),
    addedForeignKeys,
    addedColumns: new Set(),
    renamedColumns: new Map(),
    tempTables: new Set(),
    statements,
  };
}

export function raw(rule: Rule, subject: string, question?: LiveQuestion): RawFinding {
  return question ? { rule, subject, question } : { rule, subject };
}

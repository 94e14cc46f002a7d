/** ALTER TABLE on columns: add, drop, type, nullability, defaults. */
import { type AstNode, asList, asNode, asString, stringList, unwrap } from '../../sql/ast';
import type { RelationName } from '../../sql/ast';
import { type RawFinding, type Rule, raw } from '../rule';
import { isJsonType, tableRules } from './tables';

export const columnRules = {
  addColumnSafe: {
    id: 'add-column-nullable',
    severity: 'safe',
    why:
      'A nullable column, or one with a constant default, is ignored by old code and ' +
      'added without rewriting the table.',
    fix: 'Nothing to do.',
  },
  changeNewTable: {
    id: 'change-new-table',
    severity: 'safe',
    why:
      'The table was created earlier in this migration, which Prisma runs as one ' +
      'transaction: no running code uses it yet.',
    fix: 'Nothing to do.',
  },
  addColumnNotNull: {
    id: 'add-column-not-null-no-default',
    severity: 'dangerous',
    why:
      'The statement fails on a table that has rows, and old code that inserts without ' +
      'the column fails once it succeeds.',
    fix:
      'Two phases: add the column nullable (or with a constant default), backfill it, ' +
      'deploy code that writes it, then SET NOT NULL in a later migration once the data ' +
      'complies.',
  },
  volatileDefault: {
    id: 'volatile-default',
    severity: 'warning',
    why:
      'A volatile default (random(), gen_random_uuid(), clock_timestamp(), ' +
      'nextval/serial) makes PostgreSQL rewrite the whole table under an exclusive ' +
      'lock.',
    fix:
      'Add the column without a default (or with a constant one), backfill in batches, ' +
      'then set the default for new rows.',
  },
  uniqueInPlace: {
    id: 'unique-in-place',
    severity: 'warning',
    why:
      'A UNIQUE or PRIMARY KEY added in place builds its index while holding a lock ' +
      'that blocks writes, and fails if duplicates exist.',
    fix: 'CREATE UNIQUE INDEX CONCURRENTLY in its own migration, then ADD CONSTRAINT ... USING INDEX.',
  },
  dropColumn: {
    id: 'drop-column',
    severity: 'dangerous',
    why: "The column's values are lost, and running code that selects or writes the column fails at once.",
    fix:
      'Two phases: stop using the column in code and deploy, keep it (nullable) for a ' +
      'release, then drop it in a later migration once no deployed version reads it.',
  },
  renameColumn: {
    id: 'rename-column',
    severity: 'dangerous',
    why: 'Code still running uses the old column name and fails as soon as the rename commits.',
    fix:
      'Two phases: add the new column, write to both and copy the data (UPDATE ... SET ' +
      '"new" = "old"), switch the code, then drop the old column in a later migration.',
  },
  alterType: {
    id: 'alter-column-type',
    severity: 'dangerous',
    why:
      'Changing a column type rewrites the table under an exclusive lock, may fail or ' +
      'truncate values, and old code may not read the new type.',
    fix: 'Two phases: add a new column of the new type, backfill it, switch the code, then drop the old column later.',
  },
  setNotNull: {
    id: 'set-not-null',
    severity: 'dangerous',
    why:
      'SET NOT NULL scans the table under an exclusive lock and fails if any row is ' +
      'null; old code that writes nulls fails afterwards.',
    fix:
      'Backfill first; add CHECK ("col" IS NOT NULL) NOT VALID, VALIDATE it in a later ' +
      'migration, then SET NOT NULL (which then skips the scan).',
  },
  dropNotNull: {
    id: 'drop-not-null',
    severity: 'dangerous',
    why: 'Old code assumes the column always has a value; the first null written by new code breaks it.',
    fix: 'Deploy code that handles nulls first, then drop NOT NULL in a later migration.',
  },
  dropDefault: {
    id: 'drop-default',
    severity: 'dangerous',
    why: 'Old code that inserts without the column relied on the default and fails (or writes null) without it.',
    fix: 'Deploy code that always writes the column first, then drop the default in a later migration.',
  },
  setDefault: {
    id: 'set-default',
    severity: 'safe',
    why: 'Setting a default only affects future inserts and does not rewrite the table.',
    fix: 'Nothing to do.',
  },
  unreviewedAlter: {
    id: 'unreviewed-alter-table',
    severity: 'warning',
    why: 'The linter has no rule for this ALTER TABLE action; it may lock or rewrite the table.',
    fix: "Review it by hand against the runbook's backward-compatible migrations appendix.",
  },
} satisfies Record<string, Rule>;

const VOLATILE_FUNCTIONS = new Set([
  'random',
  'gen_random_uuid',
  'uuid_generate_v1',
  'uuid_generate_v4',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'statement_timestamp',
]);
const SERIAL_TYPES = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2']);

/** True when the expression calls a volatile function anywhere inside. */
function hasVolatileCall(expression: unknown): boolean {
  if (Array.isArray(expression)) return expression.some(hasVolatileCall);
  const node = asNode(expression);
  if (!node) return false;
  const call = asNode(node.FuncCall);
  if (call) {
    const names = stringList(call.funcname);
    if (VOLATILE_FUNCTIONS.has(names[names.length - 1] ?? '')) return true;
  }
  return Object.values(node).some(hasVolatileCall);
}

function columnConstraints(columnDef: AstNode): AstNode[] {
  return asList(columnDef.constraints)
    .map((c) => unwrap(c))
    .filter((c) => c?.kind === 'Constraint')
    .map((c) => c?.body ?? {});
}

export function checkAddColumn(columnDef: AstNode, table: RelationName): RawFinding[] {
  const column = asString(columnDef.colname) ?? '?';
  const subject = `add column "${table.name}"."${column}"`;
  const constraints = columnConstraints(columnDef);
  const types = constraints.map((c) => asString(c.contype));
  const defaultExpr = constraints.find((c) => c.contype === 'CONSTR_DEFAULT')?.raw_expr;
  const typeNames = stringList(asNode(columnDef.typeName)?.names);
  const isSerial = SERIAL_TYPES.has(typeNames[typeNames.length - 1] ?? '');
  const hasDefault =
    defaultExpr !== undefined || isSerial || types.includes('CONSTR_IDENTITY') || types.includes('CONSTR_GENERATED');
  const findings: RawFinding[] = [];
  if ((types.includes('CONSTR_NOTNULL') || types.includes('CONSTR_PRIMARY')) && !hasDefault) {
    findings.push(raw(columnRules.addColumnNotNull, subject, { kind: 'table-rows', table }));
  }
  if (
    isSerial ||
    hasVolatileCall(defaultExpr) ||
    types.includes('CONSTR_IDENTITY') ||
    types.includes('CONSTR_GENERATED')
  ) {
    findings.push(raw(columnRules.volatileDefault, subject));
  }
  if (types.includes('CONSTR_UNIQUE') || types.includes('CONSTR_PRIMARY'))
    findings.push(raw(columnRules.uniqueInPlace, subject));
  if (isJsonType(columnDef.typeName)) findings.push(raw(tableRules.jsonType, `${subject} is json`));
  if (findings.length === 0) findings.push(raw(columnRules.addColumnSafe, subject));
  return findings;
}

/** ALTER TABLE ... ADD / DROP / VALIDATE CONSTRAINT. */
import { type AstNode, asString, child, relationOf, stringList } from '../../sql/ast';
import type { RelationName } from '../../sql/ast';
import { type RawFinding, type Rule, raw } from '../rule';
import { columnRules } from './columns';

export const constraintRules = {
  validatedConstraint: {
    id: 'constraint-without-not-valid',
    severity: 'warning',
    why:
      'A foreign key or CHECK added without NOT VALID scans the whole table while ' +
      'blocking writes, and fails if any row breaks it.',
    fix:
      'ADD CONSTRAINT ... NOT VALID in one migration (instant), then VALIDATE ' +
      'CONSTRAINT in a later one (does not block writes).',
  },
  notValid: {
    id: 'add-constraint-not-valid',
    severity: 'safe',
    why: 'NOT VALID only checks new writes, so it takes a short lock and old rows are checked later by VALIDATE.',
    fix: 'Nothing to do; VALIDATE CONSTRAINT in a later migration.',
  },
  usingIndex: {
    id: 'add-constraint-using-index',
    severity: 'safe',
    why: 'The index already exists, so attaching it as a constraint is a catalog change.',
    fix: 'Nothing to do.',
  },
  validate: {
    id: 'validate-constraint',
    severity: 'safe',
    why: 'VALIDATE CONSTRAINT scans without blocking reads or writes.',
    fix: 'Nothing to do.',
  },
  replaceForeignKey: {
    id: 'replace-foreign-key',
    severity: 'safe',
    why:
      'The foreign key is dropped and added again under the same name in this ' +
      'migration, which Prisma runs as one transaction: running code never sees it ' +
      'missing (the re-added key has its own finding for its validation scan).',
    fix: 'Nothing to do for the drop; see the finding on the re-added constraint.',
  },
  dropConstraint: {
    id: 'drop-constraint',
    severity: 'dangerous',
    why:
      'Old code may rely on the constraint (upserts on a unique key, cascades, checks) ' +
      'and bad data can enter once it is gone.',
    fix: 'Deploy code that no longer relies on the constraint first, then drop it in a later migration.',
  },
} satisfies Record<string, Rule>;

/** `expressionText` is the CHECK's source text when the caller could find it. */
export function checkAddConstraint(
  constraint: AstNode,
  table: RelationName,
  expressionText: string | undefined,
): RawFinding[] {
  const name = asString(constraint.conname);
  const subject = `add constraint${name ? ` "${name}"` : ''} on "${table.name}"`;
  const keys = stringList(constraint.keys);
  switch (constraint.contype) {
    case 'CONSTR_PRIMARY':
    case 'CONSTR_UNIQUE':
      if (asString(constraint.indexname)) return [raw(constraintRules.usingIndex, subject)];
      return [
        raw(
          columnRules.uniqueInPlace,
          subject,
          keys.length > 0 ? { kind: 'duplicates', table, columns: keys } : undefined,
        ),
      ];
    case 'CONSTR_EXCLUSION':
      return [raw(columnRules.uniqueInPlace, subject)];
    case 'CONSTR_NOTNULL':
      return [raw(columnRules.setNotNull, subject, keys[0] ? { kind: 'nulls', table, column: keys[0] } : undefined)];
    case 'CONSTR_FOREIGN': {
      if (constraint.skip_validation === true) return [raw(constraintRules.notValid, subject)];
      const refTable = relationOf(child(constraint, 'pktable'));
      const columns = stringList(constraint.fk_attrs);
      const refColumns = stringList(constraint.pk_attrs);
      const question =
        refTable && refColumns.length === columns.length
          ? { kind: 'orphans' as const, table, columns, refTable, refColumns }
          : undefined;
      return [raw(constraintRules.validatedConstraint, subject, question)];
    }
    case 'CONSTR_CHECK':
      if (constraint.skip_validation === true) return [raw(constraintRules.notValid, subject)];
      return [
        raw(
          constraintRules.validatedConstraint,
          subject,
          expressionText ? { kind: 'check', table, expression: expressionText } : undefined,
        ),
      ];
    default:
      return [raw(columnRules.unreviewedAlter, `${subject} (${String(constraint.contype)})`)];
  }
}

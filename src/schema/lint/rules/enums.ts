/** Types and enums: Prisma removes an enum value by renaming the type, creating a new one and dropping the old. */
import { asString, stringList } from '../../sql/ast';
import type { ParsedStatement } from '../../sql/parse-sql';
import { type RawFinding, type Rule, raw } from '../rule';

export const enumRules = {
  createType: {
    id: 'create-type',
    severity: 'safe',
    why: 'A new type is not used by running code.',
    fix: 'Nothing to do.',
  },
  addEnumValue: {
    id: 'add-enum-value',
    severity: 'safe',
    why:
      'Old code never writes the new value. Note that PostgreSQL cannot remove an enum ' +
      'value, so a schema rollback cannot undo it.',
    fix: 'Nothing to do; deploy the code that writes the value after the migration.',
  },
  renameEnumValue: {
    id: 'rename-enum-value',
    severity: 'dangerous',
    why: 'Old code reads and writes the old label and fails on the renamed one.',
    fix:
      'Two phases: add the new value, migrate rows and code to it, and stop using the ' +
      'old value; leave the old label in place.',
  },
  renameType: {
    id: 'rename-type',
    severity: 'dangerous',
    why:
      "Renaming a type (Prisma's first step in removing an enum value) breaks casts in " +
      'running code, and the rest of that pattern rewrites every row that uses the ' +
      'enum.',
    fix:
      'Two phases: deploy code that stops writing the value, migrate rows off it, and ' +
      'only then remove the value in a later migration.',
  },
  dropReplacedType: {
    id: 'drop-replaced-type',
    severity: 'warning',
    why:
      'The type was renamed aside earlier in the file and its columns moved to a new ' +
      'type: nothing should use it any more, but a view, function or column the file ' +
      'did not move would break.',
    fix: 'Check nothing else uses the old type (\\dT+ in psql) before deploying.',
  },
  dropType: {
    id: 'drop-type',
    severity: 'dangerous',
    why:
      'Dropping a type (or an enum, as Prisma does to remove a value) breaks any code ' +
      "or column still using it; removed enum values lose the rows' meaning.",
    fix: 'Two phases: migrate rows and code off the type or value first, then drop it in a later migration.',
  },
} satisfies Record<string, Rule>;

export function checkAlterEnum(statement: ParsedStatement): RawFinding[] {
  const type = stringList(statement.node.typeName).join('.');
  const oldVal = asString(statement.node.oldVal);
  const newVal = asString(statement.node.newVal) ?? '?';
  if (oldVal !== undefined)
    return [raw(enumRules.renameEnumValue, `rename value '${oldVal}' of "${type}" to '${newVal}'`)];
  return [raw(enumRules.addEnumValue, `add value '${newVal}' to "${type}"`)];
}

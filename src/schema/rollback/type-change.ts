/**
 * The inverse of `ALTER COLUMN ... TYPE`: derived only for conversions known
 * to give every value back exactly (old -> new -> old is the identity), and
 * honouring the forward USING expression; anything else is refused with the
 * reason. Types are compared as PostgreSQL's format_type spells them.
 */
import { type AstNode, asList, asString, child, quoteIdent, quoteLiteral, stringList } from '../sql/ast';

type TypeChangeInverse =
  | {
      readonly ok: true;
      /** The inverse's `TYPE ... [USING ...]` clause; empty when the type did not change. */
      readonly clause: string;
      /** SQL computing the forward conversion of `ref` (a column reference), to check the inverse with data. */
      readonly forward: (ref: string) => string;
      readonly note?: string;
    }
  | { readonly ok: false; readonly reason: string };

interface ParsedType {
  readonly base: string;
  readonly mods: readonly number[];
  readonly array: boolean;
}

function parseType(text: string): ParsedType {
  const array = text.endsWith('[]');
  const bare = array ? text.slice(0, -2) : text;
  const m = /^([^(]+?)(?:\((\d+(?:,\d+)?)\))?( with(?:out)? time zone)?$/.exec(bare);
  const base = `${(m?.[1] ?? bare).trim()}${m?.[3] ?? ''}`;
  return { base, mods: (m?.[2] ?? '').split(',').filter(Boolean).map(Number), array };
}

const CHAR = new Set(['text', 'character varying']);
const INT_RANK: Record<string, number> = { smallint: 1, integer: 2, bigint: 3 };
const TIMESTAMP = 'timestamp without time zone';
const TIMESTAMPTZ = 'timestamp with time zone';
/** Zones with one fixed offset: a conversion through them is a bijection. */
const FIXED_ZONES =
  /^(utc|gmt|z|zulu|etc\/utc|etc\/gmt|etc\/zulu|universal|etc\/universal|uct|etc\/uct|[+-]?0?0(:00)?)$/i;

const precision = (t: ParsedType, fallback: number): number => t.mods[0] ?? fallback;

/** The forward USING expression, when it is one whose inverse is known. */
type Forward = { kind: 'assign' } | { kind: 'cast' } | { kind: 'at-zone'; zone: string } | { kind: 'other' };

function readForward(using: AstNode | undefined, column: string): Forward {
  if (!using) return { kind: 'assign' };
  const isColumn = (n: AstNode | undefined): boolean => {
    const ref = child(n, 'ColumnRef');
    const fields = stringList(ref?.fields);
    return ref !== undefined && fields[fields.length - 1] === column;
  };
  if (isColumn(using)) return { kind: 'assign' };
  const cast = child(using, 'TypeCast');
  if (cast && isColumn(child(cast, 'arg'))) return { kind: 'cast' };
  const call = child(cast ? child(cast, 'arg') : using, 'FuncCall');
  const name = stringList(call?.funcname);
  const args = asList(call?.args);
  const zone = asString(child(child(args[0], 'A_Const'), 'sval')?.sval);
  if (name[name.length - 1] === 'timezone' && args.length === 2 && zone !== undefined && isColumn(args[1]))
    return { kind: 'at-zone', zone };
  return { kind: 'other' };
}

interface TypeChange {
  readonly column: string;
  readonly oldType: string;
  readonly newType: string;
  readonly oldIsEnum: boolean;
  readonly newIsEnum: boolean;
  /** The forward `USING` expression's parse tree, if any. */
  readonly using: AstNode | undefined;
  /** The live database's TimeZone (what a migration without USING converted under). */
  readonly liveTimeZone: string;
}

export function invertTypeChange(change: TypeChange): TypeChangeInverse {
  const { column, oldType, newType } = change;
  const col = quoteIdent(column);
  const forward = readForward(change.using, column);
  const o = parseType(oldType);
  const n = parseType(newType);
  const refuse = (why: string): TypeChangeInverse => ({
    ok: false,
    reason:
      `"${column}" went from ${oldType} to ` +
      `${newType}${forward.kind === 'other' ? ' with a USING expression' : ''}: ${why} ` +
      `A rollback would change values silently, so this conversion is not undone ` +
      `automatically; convert it back by hand.`,
  });
  const castForward = (ref: string): string => `(${ref})::${newType}`;
  const plain = (clause: string): TypeChangeInverse => ({ ok: true, clause, forward: castForward });

  if (forward.kind === 'other')
    return refuse('the USING expression is not a plain cast or AT TIME ZONE, so its inverse is not known.');
  if (o.array !== n.array) return refuse('an array and a scalar do not convert back exactly.');
  if (oldType === newType) return { ok: true, clause: '', forward: (ref) => ref };

  // Strings: widening is exact; narrowing is exact when the forward ran as an assignment (it fails instead of
  // truncating).
  if (CHAR.has(o.base) && CHAR.has(n.base)) {
    const wider =
      n.base === 'text' || (o.base !== 'text' && o.mods.length > 0 && precision(n, Infinity) >= precision(o, Infinity));
    if (wider || forward.kind === 'assign') return plain(`TYPE ${oldType}`);
    return refuse('an explicit cast to a shorter string truncates without an error.');
  }
  // Enums to and from strings: labels are the strings.
  if ((CHAR.has(o.base) && change.newIsEnum) || (change.oldIsEnum && CHAR.has(n.base))) {
    return plain(`TYPE ${oldType} USING ${col}::${change.oldIsEnum ? oldType : 'text'}`);
  }
  const oi = INT_RANK[o.base];
  const ni = INT_RANK[n.base];
  if (oi !== undefined && (ni !== undefined || n.base === 'numeric')) return plain(`TYPE ${oldType}`);
  if (o.base === 'numeric' && n.base === 'numeric') {
    const [op, os = 0] = o.mods;
    const [np, ns = 0] = n.mods;
    if (np === undefined || (op !== undefined && ns >= os && np - ns >= op - os)) return plain(`TYPE ${oldType}`);
    return refuse('the new precision or scale is smaller, so values were rounded.');
  }
  if (o.base === 'real' && n.base === 'double precision') return plain(`TYPE ${oldType}`);
  const sameTime = (a: string): boolean => o.base === a && n.base === a;
  if (sameTime(TIMESTAMP) || sameTime(TIMESTAMPTZ) || sameTime('time without time zone')) {
    if (precision(n, 6) >= precision(o, 6)) return plain(`TYPE ${oldType}`);
    return refuse('the new precision is lower, so fractions of a second were rounded.');
  }
  if (o.base === 'date' && n.base === TIMESTAMP && forward.kind !== 'at-zone') {
    return { ok: true, clause: `TYPE ${oldType} USING ${col}::date`, forward: castForward };
  }
  const zoneChange =
    (o.base === TIMESTAMP && n.base === TIMESTAMPTZ) || (o.base === TIMESTAMPTZ && n.base === TIMESTAMP);
  if (zoneChange) {
    if (precision(n, 6) < precision(o, 6))
      return refuse('the new precision is lower, so fractions of a second were rounded.');
    if (forward.kind === 'at-zone') {
      if (!FIXED_ZONES.test(forward.zone.trim()))
        return refuse(
          `the zone '${forward.zone}' has daylight-saving changes, so some local times map to two instants or none.`,
        );
      const zone = quoteLiteral(forward.zone);
      return {
        ok: true,
        clause: `TYPE ${oldType} USING ${col} AT TIME ZONE ${zone}`,
        forward: (ref) => `((${ref}) AT TIME ZONE ${zone})::${newType}`,
      };
    }
    // Without AT TIME ZONE the forward used the applying session's TimeZone: the database default, unless that session
    // set another.
    if (!FIXED_ZONES.test(change.liveTimeZone)) {
      return refuse(
        `it converted under the TimeZone of the session that applied it, which is not ` +
          `recorded (this database's is '${change.liveTimeZone}', which has daylight-saving ` +
          `changes).`,
      );
    }
    const zone = quoteLiteral(change.liveTimeZone);
    return {
      ok: true,
      clause: `TYPE ${oldType} USING ${col} AT TIME ZONE ${zone}`,
      forward: (ref) => `((${ref}) AT TIME ZONE ${zone})::${newType}`,
      note: `Assumes the migration converted under the database's TimeZone '${change.liveTimeZone}'.`,
    };
  }
  return refuse(`converting ${newType} back to ${oldType} is not known to give every value back exactly.`);
}

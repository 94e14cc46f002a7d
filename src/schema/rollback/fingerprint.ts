/**
 * The archive's proof of completeness: a row count and an order-independent
 * checksum, computed the same way over the source and over the copy, so the
 * two compare without sorting.
 *
 * A row hashes to the XOR of its values' hashes, the value in position i
 * hashed with seed i by the extended hash function of its type's default hash
 * operator class (hashint4extended for integer, hashtextextended for text, ...;
 * hash_array_extended for an array of such a type; hash_record_extended of a
 * one-value row when that function takes another type, as for date, boolean or
 * timestamptz; a domain as its base type; an enum value as the text the
 * archive holds) or, for a type without one (json, varchar, ranges, composite
 * types), by hashtextextended of its text form; a NULL hashes to 0. The checksum is
 * `count:sum` of the row hashes (sum(bigint) accumulates in 128 bits, so it is
 * exact). One hash call per value and no composite row built per row, which
 * is what the archive's time over a plain copy is mostly made of.
 */
import type { Client } from 'pg';
import { RollbackError } from '../../rollback/errors';

/** A value of each row: its SQL expression and its type's extended hash function (null: hash its text form). */
export interface HashedColumn {
  readonly expr: string;
  readonly hashFunction: string | null;
}

export interface Fingerprint {
  readonly n: string;
  readonly sum: string;
}

/** Hashes one value inside a one-column row: for types whose hash function takes another type (date, boolean). */
const VIA_RECORD = 'hash_record_extended';

/**
 * The extended hash function (support 2) of the default hash operator class of the type `oid`: its name when it takes
 * the type itself, else VIA_RECORD.
 */
function typeHashSql(oid: string): string {
  return `(SELECT CASE WHEN f.proargtypes[0] = oc.opcintype THEN p.amproc::regproc::text ELSE '${VIA_RECORD}' END
     FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod AND am.amname = 'hash'
     JOIN pg_amproc p ON p.amprocfamily = oc.opcfamily AND p.amprocnum = 2
      AND p.amproclefttype = oc.opcintype AND p.amprocrighttype = oc.opcintype
     JOIN pg_proc f ON f.oid = p.amproc
    WHERE oc.opcdefault AND oc.opcintype = ${oid} LIMIT 1)`;
}

/**
 * A select-list expression over pg_attribute `a`: how to hash the column's values (see rowHashSql), or NULL for their
 * text form. Only hash operator classes declared for the type itself (a domain's base type; an array's element type),
 * so no hash can fail for want of a function.
 */
const BASE_TYPE = `(SELECT CASE WHEN ty.typtype = 'd' THEN ty.typbasetype ELSE ty.oid END
     FROM pg_type ty WHERE ty.oid = a.atttypid)`;
export const HASH_FUNCTION_SQL = `coalesce(${typeHashSql(BASE_TYPE)},
    (SELECT 'hash_array_extended' FROM pg_type el
      WHERE el.typarray = a.atttypid AND ${typeHashSql('el.oid')} IS NOT NULL))`;

export function rowHashSql(columns: readonly HashedColumn[]): string {
  return columns
    .map(({ expr, hashFunction }, i) => {
      if (hashFunction === VIA_RECORD) return `${VIA_RECORD}(row(${expr}), ${i})`;
      return hashFunction
        ? `coalesce(${hashFunction}(${expr}, ${i}), 0)`
        : `coalesce(hashtextextended((${expr})::text, ${i}), 0)`;
    })
    .join(' # ');
}

export async function fingerprint(client: Client, from: string, rowHash: string, where: string): Promise<Fingerprint> {
  const sql = `SELECT count(*)::text AS n, coalesce(sum(${rowHash}), 0)::text AS sum FROM ${from}${where}`;
  const row = (await client.query<Fingerprint>(sql)).rows[0];
  if (!row)
    throw new RollbackError('internal', `Could not checksum ${from}.`, {
      fix: 'Nothing was dropped: the transaction was rolled back. Report this as a bug.',
    });
  return row;
}

/**
 * The same fingerprint in a read-only transaction of a second connection, while the main one copies: without
 * parallel workers, so it takes one core and leaves the others to the copy, which takes longer than the checksum.
 */
export async function fingerprintOnSide(
  side: Client,
  from: string,
  rowHash: string,
  where: string,
): Promise<Fingerprint> {
  await side.query('BEGIN READ ONLY; SET LOCAL max_parallel_workers_per_gather = 0');
  try {
    return await fingerprint(side, from, rowHash, where);
  } finally {
    await side.query('ROLLBACK');
  }
}

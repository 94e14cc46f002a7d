/**
 * Small readers over libpg_query's JSON parse tree. The tree is untyped JSON
 * as far as this code is concerned, so every access goes through these
 * helpers instead of casts scattered over the rules.
 */
export type AstNode = Readonly<Record<string, unknown>>;

export function asNode(value: unknown): AstNode | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as AstNode) : undefined;
}

export function asList(value: unknown): AstNode[] {
  return Array.isArray(value) ? value.map(asNode).filter((n): n is AstNode => n !== undefined) : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A node wrapper such as `{ "ColumnDef": {...} }`: its one key and body. */
export function unwrap(value: unknown): { kind: string; body: AstNode } | undefined {
  const node = asNode(value);
  if (!node) return undefined;
  const [kind] = Object.keys(node);
  if (kind === undefined) return undefined;
  const body = asNode(node[kind]);
  return body ? { kind, body } : undefined;
}

export function child(node: AstNode | undefined, key: string): AstNode | undefined {
  return node ? asNode(node[key]) : undefined;
}

/** A list of `{ String: { sval } }` nodes, as in qualified names. */
export function stringList(value: unknown): string[] {
  return asList(value)
    .map((item) => asString(child(item, 'String')?.sval))
    .filter((s): s is string => s !== undefined);
}

/** Identifiers are always quoted: Prisma's mixed-case names break otherwise. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export interface RelationName {
  readonly schema: string;
  readonly name: string;
}

export function relationOf(rangeVar: AstNode | undefined): RelationName | undefined {
  const name = asString(rangeVar?.relname);
  if (name === undefined) return undefined;
  return { schema: asString(rangeVar?.schemaname) ?? 'public', name };
}

export function qualified(rel: RelationName): string {
  return `${quoteIdent(rel.schema)}.${quoteIdent(rel.name)}`;
}

export function relationKey(rel: RelationName): string {
  return `${rel.schema}.${rel.name}`;
}

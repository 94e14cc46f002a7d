/**
 * The real PostgreSQL parser (libpg_query compiled to WASM). Locations in its
 * output are byte offsets into the UTF-8 text; everything here converts them
 * to 1-based line:column for people.
 */
import { hasSqlDetails, loadModule, parseSync, scanSync } from 'libpg-query';
import { RollbackError } from '../../rollback/errors';
import { type AstNode, unwrap } from './ast';

export interface ParsedStatement {
  /** Node type, e.g. "AlterTableStmt". */
  readonly kind: string;
  readonly node: AstNode;
  /** The statement's own text, without leading comments or the trailing semicolon. */
  readonly text: string;
  /** 1-based line of the statement's first token. */
  readonly line: number;
  readonly index: number;
}

interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

let loading: Promise<void> | undefined;

/** Loads the WASM module once per process; cheap to call again. */
export function loadParser(): Promise<void> {
  loading ??= loadModule();
  return loading;
}

function positionAt(buffer: Buffer, byteOffset: number): SourcePosition {
  const before = buffer.subarray(0, Math.max(0, Math.min(byteOffset, buffer.length))).toString('utf8');
  const lines = before.split('\n');
  const last = lines[lines.length - 1] ?? '';
  return { line: lines.length, column: last.length + 1 };
}

export class SqlParseError extends RollbackError {
  readonly position: SourcePosition;
  readonly file: string;
  constructor(file: string, position: SourcePosition, reason: string, cause: unknown) {
    super('bad_input', `${file}:${position.line}:${position.column}: ${reason}`, {
      cause,
      fix: 'Fix the SQL at that position; nothing was run.',
      details: { file, ...position },
    });
    this.position = position;
    this.file = file;
  }
}

/** Splits and parses a migration; throws SqlParseError with the file and position. */
export function parseStatements(sql: string, file: string): ParsedStatement[] {
  const buffer = Buffer.from(sql, 'utf8');
  let result: ReturnType<typeof parseSync>;
  try {
    result = parseSync(sql);
  } catch (error) {
    const offset = hasSqlDetails(error) ? (error.sqlDetails?.cursorPosition ?? 0) : 0;
    const reason = error instanceof Error ? error.message : String(error);
    throw new SqlParseError(file, positionAt(buffer, offset), reason, error);
  }
  return (result.stmts ?? []).map((raw, index) => {
    const wrapped = unwrap(raw.stmt);
    const from = raw.stmt_location ?? 0;
    const to = raw.stmt_len ? from + raw.stmt_len : buffer.length;
    const first = firstTokenAt(buffer, from, to);
    return {
      kind: wrapped?.kind ?? 'Unknown',
      node: wrapped?.body ?? {},
      text: buffer.subarray(first, to).toString('utf8').trim(),
      line: positionAt(buffer, first).line,
      index,
    };
  });
}

const SLASH = 0x2f;
const STAR = 0x2a;
const DASH = 0x2d;
const NEWLINE = 0x0a;

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d || byte === 0x0c || byte === 0x0b;
}

/**
 * Byte offset of a statement's first token: the parser's statement location
 * starts right after the previous semicolon, so only whitespace, `--` and
 * (nested) block comments can come first. Skipping those by hand is about
 * as fast as it gets; running the scanner over every file doubled lint time.
 */
function firstTokenAt(buffer: Buffer, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const byte = buffer[i];
    if (isSpace(byte)) {
      i += 1;
    } else if (byte === DASH && buffer[i + 1] === DASH) {
      while (i < to && buffer[i] !== NEWLINE) i += 1;
    } else if (byte === SLASH && buffer[i + 1] === STAR) {
      let depth = 0;
      while (i < to) {
        if (buffer[i] === SLASH && buffer[i + 1] === STAR) {
          depth += 1;
          i += 2;
        } else if (buffer[i] === STAR && buffer[i + 1] === SLASH) {
          depth -= 1;
          i += 2;
          if (depth === 0) break;
        } else {
          i += 1;
        }
      }
    } else {
      return i;
    }
  }
  return from;
}

/** Tokens of a statement's text, for the few places that need source text (CHECK expressions). */
export function scanTokens(sql: string): ReturnType<typeof scanSync>['tokens'] {
  return scanSync(sql).tokens;
}

/**
 * Command-line options for the subcommands, read with Node's own parseArgs
 * (strict: an unknown option or a missing value is a usage error). Every
 * option here takes a value; the answer is the values and positionals, or one
 * line saying what is wrong.
 */
import { parseArgs } from 'node:util';

interface ReadArgs {
  values: Record<string, string | undefined>;
  positionals: string[];
}

/** `flags` are options without a value (`--execute`): present reads as 'true'. */
export function readArgs(
  argv: readonly string[],
  options: readonly string[],
  flags: readonly string[] = [],
): ReadArgs | string {
  try {
    const parsed = parseArgs({
      args: [...argv],
      options: Object.fromEntries([
        ...options.map((name) => [name, { type: 'string' as const }]),
        ...flags.map((name) => [name, { type: 'boolean' as const }]),
      ]),
      allowPositionals: true,
      strict: true,
    });
    const values = Object.fromEntries(
      Object.entries(parsed.values).map(([k, v]) => [k, v === true ? 'true' : v === false ? undefined : v]),
    );
    return { values: values as Record<string, string | undefined>, positionals: parsed.positionals };
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '([^']+)'/.exec(message);
    if (unknown) return `unknown option ${unknown[1]}`;
    const missing = /Option '(--[\w-]+)/.exec(message);
    if (missing) return `${missing[1]} expects a value`;
    return message.split('\n')[0] ?? message;
  }
}

export function readFormat(value: string | undefined): 'text' | 'json' | string {
  if (value === undefined || value === 'text' || value === 'json') return value ?? 'text';
  return `--format expects text or json, got ${value}`;
}

export const isFormat = (value: string): value is 'text' | 'json' => value === 'text' || value === 'json';

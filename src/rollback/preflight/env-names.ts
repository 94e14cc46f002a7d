/**
 * Variable names from dotenv-style text (an app's .env.example, or the list of
 * names set in production). Only names are read: values are skipped, quoted
 * multi-line values included, so a secret pasted into a file never travels
 * further than this function.
 */

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(?:=(.*))?$/;
const QUOTES = ['"', "'", '`'];

/** True when a value opened with a quote does not close on its own line. */
function opensMultiline(value: string): string | undefined {
  const trimmed = value.trim();
  const quote = trimmed[0];
  if (quote === undefined || !QUOTES.includes(quote)) return undefined;
  const rest = trimmed.slice(1);
  return closesAt(rest, quote) ? undefined : quote;
}

function closesAt(text: string, quote: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '\\' && quote === '"') i += 1;
    else if (text[i] === quote) return true;
  }
  return false;
}

/** Names in order of first appearance; comments, blank lines and values are ignored. */
export function parseEnvNames(text: string): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  let openQuote: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (openQuote !== undefined) {
      if (closesAt(line, openQuote)) openQuote = undefined;
      continue;
    }
    if (/^\s*(#|$)/.test(line)) continue;
    const match = ASSIGNMENT.exec(line);
    const name = match?.[1];
    if (!match || name === undefined) continue;
    if (match[2] !== undefined) openQuote = opensMultiline(match[2]);
    if (!seen.has(name)) {
      seen.add(name);
      names.push(name);
    }
  }
  return names;
}

/** A list given on one line (an environment variable): names separated by commas or spaces. */
export function parseNameList(text: string): string[] {
  return parseEnvNames(text.split(/[\s,]+/).join('\n'));
}

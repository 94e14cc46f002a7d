/**
 * The figure a rate alert fired on, where alert rules usually put it: a
 * `value` annotation or label (`{{ $value }}`), a "Value: 0.375" line in a
 * Slack notification, or the measurement written into the summary or
 * description ("5xx rate is 37.5%", "0.375 of requests failed"). Rates come
 * out as fractions: 37.5% → 0.375, 0.375 → 0.375, and a bare value above 1
 * is a percent (37.5 → 0.375). Free text is read cautiously: only a percent
 * or a decimal fraction counts (never a status code, a duration or a
 * version), and a figure named as the rule's threshold ("above 25%") is not
 * the measurement.
 */
import { parseNumber, RATE_KINDS } from './classify';
import type { SignalKind } from './signal';

/** A number standing alone (not inside "5xx", "p95", "10.0.0.1", "v1.2"), with an optional percent sign. */
const FIGURE = /(?<![\w.:/-])(\d+(?:\.\d+)?)(\s?%)?(?![\w%]|[.:,]\d)/g;
/** Words that introduce the rule's threshold or a comparison, just before the figure. */
const THRESHOLD_WORDS =
  'above|over|exceeds?|exceeding|exceeded|threshold|limit|target|slo|than|below|under|beyond|max(?:imum)?|min(?:imum)?';
const THRESHOLD_BEFORE = new RegExp(
  `(?:\\b(?:${THRESHOLD_WORDS})|[<>≥≤]=?)\\s*(?:(?:the|a|an|of|is|at|set|to)\\s+)*:?\\s*$`,
  'i',
);
/** A unit after a bare number makes it a duration or a count, not a rate. */
const UNIT_AFTER =
  /^\s*(?:ms|s|sec|secs|seconds?|m|mins?|minutes?|h|hrs?|hours?|days?|requests?|req|rps|errors?|times|x)\b/i;

/**
 * The measured rate in free text as a fraction, or undefined when the text
 * names none (or only a threshold).
 */
export function rateInText(text: string | undefined): number | undefined {
  if (!text) return undefined;
  for (const match of text.matchAll(FIGURE)) {
    const [whole, digits, percent] = match;
    if (digits === undefined) continue;
    const start = match.index;
    const before = text.slice(Math.max(0, start - 40), start);
    if (THRESHOLD_BEFORE.test(before)) continue;
    const value = Number(digits);
    if (percent) {
      if (value <= 100) return value / 100;
      continue;
    }
    // Without a percent sign only a decimal fraction is a rate: "500", "2", "1.5 minutes" are not.
    if (!digits.includes('.') || value > 1 || UNIT_AFTER.test(text.slice(start + whole.length))) continue;
    return value;
  }
  return undefined;
}

/** What a Slack notification template printed on its "Value: 0.375" / "• value: 37.5%" line, if it has one. */
export function valueField(text: string): string | undefined {
  return /^[\s>•·*-]*value\s*[:=]\s*(\S.*)$/im.exec(text)?.[1];
}

/**
 * A rate as a fraction of 1: percents and fractions alike; undefined for
 * anything that cannot be a share of requests (negative, over 100%).
 */
export function asRate(value: number | undefined): number | undefined {
  if (value === undefined || !Number.isFinite(value) || value < 0) return undefined;
  if (value <= 1) return value;
  return value <= 100 ? value / 100 : undefined;
}

interface ValueSources {
  /** The figure the payload itself carries (Grafana's evaluated values). */
  readonly measured?: number;
  /** `value` annotations, labels or template lines, in order of trust. */
  readonly fields?: ReadonlyArray<string | undefined>;
  /** Summary, description and other prose, in order of trust. */
  readonly texts?: ReadonlyArray<string | undefined>;
}

/**
 * The alert's value for its kind: an explicit figure first, then (for rates
 * only) a figure in its words. Rates come out as fractions; other kinds'
 * explicit values pass through as the source gave them.
 */
export function alertValue(kind: SignalKind, sources: ValueSources): number | undefined {
  const explicit =
    sources.measured ?? sources.fields?.map(parseNumber).find((v) => v !== undefined && Number.isFinite(v));
  if (!RATE_KINDS.has(kind)) return explicit !== undefined && Number.isFinite(explicit) ? explicit : undefined;
  if (explicit !== undefined) return asRate(explicit);
  for (const text of sources.texts ?? []) {
    const rate = rateInText(text);
    if (rate !== undefined) return rate;
  }
  return undefined;
}

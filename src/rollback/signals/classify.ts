/**
 * Reads an alert's name and words for the runbook's trigger it is about.
 * Order matters: "sign-in returns 500" is auth being broken, not a generic
 * 5xx rate, so the most specific symptoms are tried first.
 */
import type { Severity, SignalKind } from './signal';

const FAILING = String.raw`(fail\w*|broken|down|error\w*|5\d\d|5xx|unavailable|not working|timing out|timeouts?)`;
const CANNOT = String.raw`(cannot|can't|can not|unable to|could not|couldn't)`;

const RULES: ReadonlyArray<{ kind: SignalKind; patterns: RegExp[] }> = [
  {
    kind: 'security_vulnerability',
    patterns: [/\b(security|vulnerabilit\w*|cve-\d{4}-\d+|exploit\w*|data breach|credentials? leak\w*)\b/],
  },
  {
    kind: 'auth_broken',
    patterns: [
      new RegExp(String.raw`\b(sign[\s-]?in|log[\s-]?in|auth\w*|sso|oauth|session)\b.*\b${FAILING}`),
      new RegExp(String.raw`\b${CANNOT}\s+(sign|log)[\s-]?in\b`),
    ],
  },
  {
    kind: 'db_writes_failing',
    patterns: [
      new RegExp(String.raw`\b(db|database|postgres\w*|write|writes|insert\w*|save|saves|saving)\b.*\b${FAILING}`),
      new RegExp(String.raw`\b${CANNOT}\s+(be\s+)?(save|saved|write|written|insert)\b`),
      /\bcannot be saved\b/,
    ],
  },
  {
    kind: 'rate_limit_broken',
    patterns: [/\brate[\s-]?limit\w*\b.*\b(broken|bypass\w*|disabled|not (working|enforced|applied)|fail\w*|down)\b/],
  },
  { kind: 'five_xx_rate', patterns: [/\b(5xx|http_?5\d\d|5\d\d (rate|errors?|responses?))\b/, /\bserver errors?\b/] },
  { kind: 'p95_latency', patterns: [/\b(p9[59]|latency|slow\w*|response time)\b/] },
  { kind: 'error_rate', patterns: [/\b(error[\s-]?rate|failure[\s-]?rate|errors?|exceptions?)\b/] },
];

/** "HighHttp5xxRate" -> "high http 5xx rate", so alert names read like words. */
function words(raw: string): string {
  return raw
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .replace(/([a-z])([45](?:\d\d|xx))\b/gi, '$1 $2')
    .toLowerCase();
}

export function classifyKind(...texts: Array<string | undefined>): SignalKind {
  const text = texts
    .filter((t): t is string => t !== undefined)
    .map(words)
    .join(' \n ');
  for (const rule of RULES) {
    if (rule.patterns.some((p) => p.test(text))) return rule.kind;
  }
  return 'other';
}

export function readSeverity(...texts: Array<string | undefined>): Severity | undefined {
  const text = texts
    .filter((t): t is string => t !== undefined)
    .join(' ')
    .toLowerCase();
  if (/\b(critical|crit|p1|sev[\s-]?1|page)\b/.test(text)) return 'critical';
  if (/\b(high|error|p2|sev[\s-]?2)\b/.test(text)) return 'high';
  if (/\b(warning|warn|p3)\b/.test(text)) return 'warning';
  if (/\b(info|low|p4|p5)\b/.test(text)) return 'info';
  return undefined;
}

export const RATE_KINDS: ReadonlySet<SignalKind> = new Set(['five_xx_rate', 'error_rate']);

/**
 * Rates come as fractions from some tools and percents from others; a rate
 * above 1 can only be a percent. Values for other kinds pass through.
 */
export function normaliseValue(kind: SignalKind, value: number | undefined): number | undefined {
  if (value === undefined || !Number.isFinite(value)) return undefined;
  if (RATE_KINDS.has(kind) && value > 1 && value <= 100) return value / 100;
  return value;
}

export function parseNumber(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const match = /^\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(%?)/i.exec(raw);
  if (!match?.[1]) return undefined;
  const value = Number(match[1]);
  return match[2] === '%' ? value / 100 : value;
}

/** Two FNV-1a 32-bit hashes with different seeds: a stable id for sources that send none (chat messages). */
export function fingerprintOf(...parts: string[]): string {
  const text = parts.join('\u0000');
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x01000193);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

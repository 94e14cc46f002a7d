/**
 * Secrets (tokens, passwords in URLs) removed from free text. Kept apart from
 * the logger so a command that only prints (lint-migrations) need not load pino.
 */
/** Values that must never reach a log line even inside free text (tokens, URLs with passwords). */
const SECRET_PATTERNS: RegExp[] = [
  /xox[abposr]-[A-Za-z0-9-]+/g,
  /xapp-[A-Za-z0-9-]+/g,
  /(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+@/g,
  /(https?:\/\/[^:/@\s]+:)[^@\s]+@/g,
  /(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi,
];

export function scrubSecrets(text: string): string {
  return SECRET_PATTERNS.reduce(
    (out, pattern) =>
      out.replace(pattern, (_match, keep?: string) => {
        const kept = typeof keep === 'string' ? keep : '';
        return `${kept}[redacted]${kept.includes('://') ? '@' : ''}`;
      }),
    text,
  );
}

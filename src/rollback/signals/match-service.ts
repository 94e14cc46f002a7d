/**
 * Ties an alert to a configured service: first by an explicit label, then by a
 * service's name or display name appearing in the alert's words.
 */
import type { KnownService } from './signal';

/** Label keys that conventionally name the service, most explicit first. */
const SERVICE_LABELS = ['service', 'service_name', 'app', 'application', 'project', 'job'] as const;

function normalise(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
}

function byExactName(services: readonly KnownService[], raw: string): KnownService | undefined {
  const wanted = normalise(raw);
  if (wanted === '') return undefined;
  return services.find(
    (s) => s.name === wanted || (s.displayName !== undefined && normalise(s.displayName) === wanted),
  );
}

function escapeRegExp(raw: string): string {
  return raw.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A name counts only as a whole word: "dr-amal" must not match inside
 * "dr-amal-staging", so dashes and letters on either side disqualify it.
 */
function containsName(haystack: string, name: string): boolean {
  if (name === '') return false;
  return new RegExp(`(^|[^a-z0-9-])${escapeRegExp(name.toLowerCase())}($|[^a-z0-9-])`).test(haystack);
}

/** The longest matching name wins, so "dr-amal-clinical-os" beats a service called "dr-amal". */
export function findServiceInText(services: readonly KnownService[], text: string): KnownService | undefined {
  const haystack = text.toLowerCase();
  let best: { service: KnownService; length: number } | undefined;
  for (const service of services) {
    for (const candidate of [service.name, service.displayName]) {
      if (candidate === undefined || !containsName(haystack, candidate)) continue;
      if (!best || candidate.length > best.length) best = { service, length: candidate.length };
    }
  }
  return best?.service;
}

interface ServiceMatch {
  service?: KnownService;
  /** The name the alert used, for the "unknown service" report. */
  hint?: string;
}

/**
 * An explicit service label that names no configured service is trusted over
 * the text: an alert labelled service=billing that mentions our app in its
 * description is about billing.
 */
export function matchService(
  services: readonly KnownService[],
  labels: Readonly<Record<string, string>>,
  text: string,
): ServiceMatch {
  for (const key of SERVICE_LABELS) {
    const value = labels[key];
    if (value === undefined || value.trim() === '') continue;
    const service = byExactName(services, value);
    if (service) return { service, hint: value };
    if (key === 'service' || key === 'service_name') return { hint: value };
  }
  const fromText = findServiceInText(services, [text, ...Object.values(labels)].join('\n'));
  if (fromText) return { service: fromText };
  const hint = SERVICE_LABELS.map((key) => labels[key]).find((v) => v !== undefined && v.trim() !== '');
  return hint === undefined ? {} : { hint };
}

export function matchServiceName(services: readonly KnownService[], raw: string): KnownService | undefined {
  return byExactName(services, raw);
}

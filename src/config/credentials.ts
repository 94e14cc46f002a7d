/**
 * The variables a service needs that are unset, and what each takes away.
 * One answer for every surface: the warning at start, `/rollback status`,
 * the preflight checklist and App Home all list a service's unavailable
 * capabilities from here. Pure: reads only the environment it is given.
 */
import type { ServiceConfig } from './service-schema';

interface MissingCredential {
  readonly service: string;
  readonly variable: string;
  /** The capability that is unavailable while it is unset. */
  readonly capability: 'application rollbacks' | 'git reverts' | 'schema rollbacks' | 'smoke tests' | 'feature flags';
  readonly message: string;
  /** Where the services file or the bot names it (git.tokenEnv, flag ai-notes, edgeConfig.tokenEnv...). */
  readonly field: string;
}

/** `${NAME}` placeholders in a smoke test's body and headers. */
function placeholders(value: unknown, into: Set<string>): void {
  if (typeof value === 'string')
    for (const match of value.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)) into.add(match[1] as string);
  else if (Array.isArray(value)) for (const item of value) placeholders(item, into);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) placeholders(item, into);
}

/** The variables each feature flag names (its write token, and the Edge Config read token when set), with the field. */
function flagVariables(service: ServiceConfig): [string, string][] {
  return service.flags.flatMap((flag): [string, string][] =>
    flag.provider === 'edge-config'
      ? [
          [flag.edgeConfig.tokenEnv, `flag ${flag.name}, edgeConfig.tokenEnv`],
          ...(flag.edgeConfig.readTokenEnv
            ? [[flag.edgeConfig.readTokenEnv, `flag ${flag.name}, edgeConfig.readTokenEnv`] as [string, string]]
            : []),
        ]
      : [[flag.vercelFlags.tokenEnv, `flag ${flag.name}, vercelFlags.tokenEnv`]],
  );
}

/** Every variable a service needs that is unset, with the capability it takes away. */
export function missingCredentials(
  services: readonly ServiceConfig[],
  env: Readonly<Record<string, string | undefined>>,
): MissingCredential[] {
  const unset = (name: string): boolean => !env[name]?.trim();
  const out: MissingCredential[] = [];
  const add = (service: string, variable: string, capability: MissingCredential['capability'], field: string): void =>
    void out.push({
      service,
      variable,
      capability,
      field,
      message:
        `${variable} is not set (${field}): ${capability} of ${service} are unavailable ` +
        `until it is; everything else runs.`,
    });
  for (const service of services) {
    if (unset('VERCEL_TOKEN')) add(service.name, 'VERCEL_TOKEN', 'application rollbacks', 'the Vercel API token');
    for (const field of ['tokenEnv', 'sshKeyEnv'] as const) {
      const name = service.git[field];
      if (name && unset(name)) add(service.name, name, 'git reverts', `git.${field}`);
    }
    if (service.database && unset(service.database.urlEnv))
      add(service.name, service.database.urlEnv, 'schema rollbacks', 'database.urlEnv');
    const names = new Set<string>();
    for (const test of service.production.smokeTests) placeholders([test.body, test.headers], names);
    for (const name of names) if (unset(name)) add(service.name, name, 'smoke tests', 'a smoke test placeholder');
    for (const [name, field] of flagVariables(service)) {
      if (unset(name)) add(service.name, name, 'feature flags', field);
    }
  }
  return out;
}

const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * What this service cannot do until a variable is set, one line per variable,
 * naming it (e.g. "Git reverts unavailable: DR_AMAL_GIT_TOKEN is not set (git.tokenEnv)."). Empty when nothing is
 * missing.
 */
export function unavailableCapabilities(
  service: ServiceConfig,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  return missingCredentials([service], env).map(
    (missing) => `${capitalised(missing.capability)} unavailable: ${missing.variable} is not set (${missing.field}).`,
  );
}

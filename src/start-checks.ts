/**
 * What `start` checks before it starts anything: the setup steps a newcomer
 * has not done yet (each named, as next steps), and the variables a service
 * needs that are unset. A missing credential of one service does not stop
 * the bot: it is named at start and only the rollbacks that need it refuse.
 */
import type { ServiceConfig } from './config/service-schema';

/** Everything a newcomer must do before the bot can start, as next steps rather than a stack trace. */
export function missingSetup(env: NodeJS.ProcessEnv): string[] {
  const set = (name: string): boolean => Boolean(env[name]?.trim());
  if (!set('SLACK_BOT_TOKEN')) {
    return [
      'Slack tokens are not set. Create the Slack app from manifests/slack-app.http.yaml (or slack-app.socket.yaml), install it, then set ' +
        'SLACK_BOT_TOKEN (xoxb-…) and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN xapp-… for Socket Mode). See "Setting up Slack" in README.md.',
    ];
  }
  if (!set('SLACK_SIGNING_SECRET') && !set('SLACK_APP_TOKEN')) {
    return [
      'SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not: without it the bot cannot check that requests come from Slack. ' +
        'Copy the Signing Secret from the Slack app\'s "Basic Information" page into SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN xapp-… for Socket Mode).',
    ];
  }
  return [];
}

export interface MissingCredential {
  readonly service: string;
  readonly variable: string;
  /** The capability that is unavailable while it is unset. */
  readonly capability: 'application rollbacks' | 'git reverts' | 'schema rollbacks' | 'smoke tests';
  readonly message: string;
}

/** `${NAME}` placeholders in a smoke test's body and headers. */
function placeholders(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') for (const match of value.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)) into.add(match[1] as string);
  else if (Array.isArray(value)) for (const item of value) placeholders(item, into);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) placeholders(item, into);
}

/** Every variable a service needs that is unset, with the capability it takes away. */
export function missingCredentials(services: readonly ServiceConfig[], env: NodeJS.ProcessEnv): MissingCredential[] {
  const unset = (name: string): boolean => !env[name]?.trim();
  const out: MissingCredential[] = [];
  const add = (service: string, variable: string, capability: MissingCredential['capability'], field: string): void =>
    void out.push({
      service,
      variable,
      capability,
      message: `${variable} is not set (${field}): ${capability} of ${service} are unavailable until it is; everything else runs.`,
    });
  for (const service of services) {
    if (unset('VERCEL_TOKEN')) add(service.name, 'VERCEL_TOKEN', 'application rollbacks', 'the Vercel API token');
    for (const field of ['tokenEnv', 'sshKeyEnv'] as const) {
      const name = service.git[field];
      if (name && unset(name)) add(service.name, name, 'git reverts', `git.${field}`);
    }
    if (service.database && unset(service.database.urlEnv)) add(service.name, service.database.urlEnv, 'schema rollbacks', 'database.urlEnv');
    const names = new Set<string>();
    for (const test of service.production.smokeTests) placeholders([test.body, test.headers], names);
    for (const name of names) if (unset(name)) add(service.name, name, 'smoke tests', 'a smoke test placeholder');
  }
  return out;
}

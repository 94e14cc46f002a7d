/**
 * The environment every git child process of the adapter runs with. Global
 * and system git config are shut out so the machine's settings (signing,
 * hooks paths, url rewrites) cannot change what the bot does; credentials
 * reach git only through this environment, never through argv, the remote
 * URL or a file on disk.
 */
import { RollbackError } from '../rollback/errors';
import type { ServiceConfig } from '../config/service-schema';

interface GitChildEnv {
  readonly env: Record<string, string>;
  /** Values that must never leave the process in a log line or an error. */
  readonly secrets: readonly string[];
}

/** Guarded variables simple-git must be told are intended. */
export const ALLOWED_GIT_ENV = [
  'GIT_CONFIG_NOSYSTEM',
  'GIT_CONFIG_GLOBAL',
  'GIT_TERMINAL_PROMPT',
  'GIT_CONFIG_COUNT',
  'GIT_CONFIG_KEY_0',
  'GIT_CONFIG_VALUE_0',
  'GIT_SSH_COMMAND',
] as const;

export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Refuses remotes that carry a password or token in the URL: it would be written to .git/config. */
export function assertRemoteHasNoCredentials(service: ServiceConfig): void {
  let url: URL | undefined;
  try {
    url = new URL(service.git.remote);
  } catch {
    return; // scp-like (git@host:org/repo.git) or a local path: nothing secret in it
  }
  if ((url.protocol === 'https:' || url.protocol === 'http:') && url.password !== '') {
    throw new RollbackError('config_invalid', `The git remote of ${service.name} carries a credential in its URL.`, {
      fix: 'Remove it from git.remote and put the token in the environment variable named by git.tokenEnv.',
    });
  }
}

export function buildGitEnv(service: ServiceConfig, source: NodeJS.ProcessEnv): GitChildEnv {
  const env: Record<string, string> = {
    PATH: source.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: source.HOME ?? '/tmp',
    // English messages, so failures can be classified from git's stderr.
    LANG: 'C',
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    // Without this a missing credential makes git wait for a terminal that never answers.
    GIT_TERMINAL_PROMPT: '0',
  };
  const secrets: string[] = [];

  if (service.git.tokenEnv) {
    const token = source[service.git.tokenEnv];
    if (!token) {
      throw new RollbackError(
        'config_invalid',
        `The environment variable ${service.git.tokenEnv} (git token of ${service.name}) is empty.`,
        {
          details: { missingEnv: service.git.tokenEnv },
          fix: `Set ${service.git.tokenEnv} to a token that may push to ${service.git.branch}.`,
        },
      );
    }
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    // Scoped to the remote's URL so the header is never sent to another host (redirects, submodules).
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = `http.${service.git.remote}.extraHeader`;
    env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${basic}`;
    secrets.push(token, basic);
  }

  if (service.git.sshKeyEnv) {
    const keyPath = source[service.git.sshKeyEnv];
    if (!keyPath) {
      throw new RollbackError(
        'config_invalid',
        `The environment variable ${service.git.sshKeyEnv} (SSH key path of ${service.name}) is empty.`,
        {
          details: { missingEnv: service.git.sshKeyEnv },
          fix: `Set ${service.git.sshKeyEnv} to the path of a private key that may push to ${service.git.branch}.`,
        },
      );
    }
    // BatchMode: fail instead of prompting for a passphrase or an unknown host key.
    env.GIT_SSH_COMMAND = `ssh -i ${shellQuote(keyPath)} -o IdentitiesOnly=yes -o BatchMode=yes`;
  }

  return { env, secrets };
}

export function redactSecrets(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => (secret ? out.split(secret).join('[redacted]') : out), text);
}

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildGitEnv } from '../../src/git/git-env';
import { classifyGitOutput, translateGitError } from '../../src/git/git-errors';
import type { RollbackError } from '../../src/rollback/errors';
import type { CommitSha } from '../../src/rollback/ids';
import {
  ASKER,
  INCIDENT,
  SERVICE,
  adapterFor,
  captureLogs,
  createSandbox,
  serviceFor,
  type Sandbox,
} from './support/git-fixture';
import { startGitHttpServer, type GitHttpServer } from './support/git-http-server';

const TOKEN = 'ghp_S3cretTokenValue1234567890abcdef';
const BASIC = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? (name === 'objects' ? [] : filesUnder(path)) : [path];
  });
}

describe('git credentials: an HTTPS token from the environment, never on disk, in logs or in errors', () => {
  let sb: Sandbox;
  let server: GitHttpServer;
  let c2: CommitSha;

  beforeEach(async () => {
    sb = createSandbox();
    sb.commit({ 'app.ts': 'v1\n' }, 'chore: initial');
    c2 = sb.commit({ 'app.ts': 'v2\n' }, 'feat(ai): AI');
    sb.push();
    sb.git(sb.origin, 'config', 'http.receivepack', 'true');
    server = await startGitHttpServer(sb.root, TOKEN, sb.env);
  });
  afterEach(async () => {
    await server.close();
    sb.cleanup();
  });

  it('authenticates with the token through the environment and writes it nowhere', async () => {
    const logs = captureLogs();
    const remote = `${server.url}/origin.git`;
    const adapter = adapterFor(sb, [serviceFor(remote, { tokenEnv: 'CLINICAL_GIT_TOKEN' })], {
      env: { CLINICAL_GIT_TOKEN: TOKEN },
      logger: logs.logger,
    });

    const result = await adapter.revert({
      service: SERVICE,
      incidentId: INCIDENT,
      requestedBy: ASKER,
      target: { commit: c2 },
    });

    expect(sb.originHead()).toBe(result.commit);
    expect(server.authorizations.length).toBeGreaterThan(0);
    expect(server.authorizations.every((header) => header === `Basic ${BASIC}`)).toBe(true);
    const gitDir = join(sb.workspace, 'clinical-os', '.git');
    expect(readFileSync(join(gitDir, 'config'), 'utf8')).toContain(`url = ${remote}`);
    for (const file of filesUnder(gitDir)) {
      const text = readFileSync(file, 'latin1');
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(BASIC);
    }
    expect(logs.text()).toContain('git revert');
    expect(logs.text()).not.toContain(TOKEN);
    expect(logs.text()).not.toContain(BASIC);
  });

  it('reports a refused token as an auth failure without the token in the error or the logs', async () => {
    const logs = captureLogs();
    const wrong = 'ghp_WrongTokenValue0987654321';
    const adapter = adapterFor(sb, [serviceFor(`${server.url}/origin.git`, { tokenEnv: 'CLINICAL_GIT_TOKEN' })], {
      env: { CLINICAL_GIT_TOKEN: wrong },
      logger: logs.logger,
    });

    const error = (await adapter.branchHead(SERVICE).catch((e: unknown) => e)) as RollbackError;

    expect(error.code).toBe('forbidden');
    expect(error.details.reason).toBe('auth_failed');
    expect(error.fix).toMatch(/git.tokenEnv/);
    const everything =
      JSON.stringify({ message: error.message, fix: error.fix, details: error.details, stack: error.stack }) +
      logs.text();
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(Buffer.from(`x-access-token:${wrong}`).toString('base64'));
    expect(server.authorizations).toContain(`Basic ${Buffer.from(`x-access-token:${wrong}`).toString('base64')}`);
  });

  it('refuses, when built, a remote URL that carries a credential, and an empty token variable', () => {
    let error: RollbackError | undefined;
    try {
      adapterFor(sb, [serviceFor(`https://bot:${TOKEN}@git.example.com/org/app.git`)]);
    } catch (e) {
      error = e as RollbackError;
    }
    expect(error?.code).toBe('config_invalid');
    expect(error?.message).not.toContain(TOKEN);
    expect(() => buildGitEnv(serviceFor('https://git.example.com/a.git', { tokenEnv: 'MISSING_TOKEN' }), {})).toThrow(
      /MISSING_TOKEN/,
    );
  });
});

describe('a service whose git credential variable is unset', () => {
  it('is built with the others; only its own git work refuses, naming the variable', async () => {
    const sb = createSandbox();
    try {
      sb.commit({ 'app.ts': 'v1\n' }, 'chore: initial');
      sb.push();
      const adapter = adapterFor(sb, [
        serviceFor(sb.origin, { name: 'no-token', tokenEnv: 'NO_TOKEN_SET' }),
        serviceFor(sb.origin, { name: 'fine' }),
      ]);
      await expect(adapter.listCommits({ service: 'no-token' as never })).rejects.toThrow(
        'The environment variable NO_TOKEN_SET (git token of no-token) is empty.',
      );
      expect((await adapter.listCommits({ service: 'fine' as never })).map((c) => c.subject)).toEqual([
        'chore: initial',
      ]);
    } finally {
      sb.cleanup();
    }
  });
});

describe('git environment and error classification', () => {
  it(
    'passes an SSH key path through GIT_SSH_COMMAND, quoted, in batch mode, with ' +
      'global and system config shut out',
    () => {
      const { env, secrets } = buildGitEnv(serviceFor('git@github.com:org/app.git', { sshKeyEnv: 'DEPLOY_KEY_PATH' }), {
        PATH: '/usr/bin',
        DEPLOY_KEY_PATH: "/keys/it's key",
      });
      expect(env.GIT_SSH_COMMAND).toBe(`ssh -i '/keys/it'\\''s key' -o IdentitiesOnly=yes -o BatchMode=yes`);
      expect(env).toMatchObject({ GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' });
      expect(secrets).toEqual([]);
    },
  );

  it.each([
    [
      '! [rejected]        main -> main (fetch first)\nhint: Updates were rejected because the remote contains work',
      'non_fast_forward',
    ],
    ['! [rejected]        main -> main (non-fast-forward)', 'non_fast_forward'],
    ['! [rejected]        main -> main (stale info)', 'non_fast_forward'],
    [
      "! [remote rejected] main -> main (cannot lock ref 'refs/heads/main': is at abc but expected def)",
      'non_fast_forward',
    ],
    [
      'remote: error: GH006: Protected branch update failed for refs/heads/main.\n! ' +
        '[remote rejected] main -> main (protected branch hook declined)',
      'protected_branch',
    ],
    [
      "remote: Invalid username or password.\nfatal: Authentication failed for 'https://github.com/org/app.git/'",
      'auth_failed',
    ],
    ['git@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository.', 'auth_failed'],
    [
      "fatal: unable to access 'https://github.com/org/app.git/': Could not resolve host: github.com",
      'remote_unreachable',
    ],
    ['fatal: not a git repository', 'git_failed'],
  ])('classifies %j as %s', (output, reason) => {
    expect(classifyGitOutput(output)).toBe(reason);
  });

  it('removes secrets that git echoes back from messages and details', () => {
    const error = translateGitError(
      new Error(`fatal: unable to access 'https://x-access-token:${TOKEN}@github.com/': Could not resolve host`),
      {
        service: 'clinical-os',
        branch: 'main',
        operation: 'fetch',
        secrets: [TOKEN],
      },
    );
    expect(error.details.reason).toBe('remote_unreachable');
    expect(JSON.stringify(error.details)).not.toContain(TOKEN);
    expect(JSON.stringify(error.details)).toContain('[redacted]');
  });
});

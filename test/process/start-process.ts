/**
 * `rollback-bot <command>` as a real child process whose output is watched as
 * it comes: wait for a log line, send it signals, read its exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CLI = join(__dirname, '../../bin/rollback-bot.js');

export interface Spawned {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with everything printed so far once pattern appears; rejects at timeout or exit. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exit(): Promise<number | null>;
}

export function spawnCli(args: string[], env: Record<string, string | undefined>, cli = CLI): Spawned {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let seen = '';
  const watchers = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    seen += chunk.toString('utf8');
    for (const watch of watchers) watch();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => seen,
    waitFor: (pattern, timeoutMs = 90_000) =>
      new Promise((resolve, reject) => {
        const done = (error?: Error): void => {
          watchers.delete(check);
          clearTimeout(timer);
          if (error) reject(error);
          else resolve(seen);
        };
        const check = (): void => {
          if (pattern.test(seen)) done();
        };
        const timer = setTimeout(() => done(new Error(`no ${pattern} within ${timeoutMs} ms in:\n${seen}`)), timeoutMs);
        watchers.add(check);
        void exited.then((code) =>
          setImmediate(() => watchers.has(check) && done(new Error(`exited (${code}) before ${pattern}:\n${seen}`))),
        );
        check();
      }),
    exit: () => exited,
  };
}

/** The postmaster's pid from its pid file, when one is there. */
export function postmasterPid(serverDataDir: string): number | undefined {
  const file = join(serverDataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  return Number(readFileSync(file, 'utf8').split('\n')[0]);
}

export function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The serverDataDir the bot logged for its embedded server. */
export function loggedServerDataDir(output: string): string {
  const match = /"serverDataDir":"([^"]+)"/.exec(output);
  if (!match?.[1]) throw new Error(`no serverDataDir logged in:\n${output}`);
  return match[1];
}

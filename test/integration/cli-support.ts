/**
 * Shared helpers for the rollback-bot command tests (cli, cli-conventions, cli-startup-errors): the command run as a
 * real process or in this process, and waiting for a running process's output. Sets the long jest timeout those
 * spawned commands need.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as cliMain from '../../src/cli';

export const CLI = join(__dirname, '../../bin/rollback-bot.js');

// Each spawned command compiles the sources with ts-node: tens of seconds on a loaded machine.
jest.setTimeout(180_000);
export const cleanEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  ...extra,
});

export function runCli(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [CLI, ...args], { env: cleanEnv(env), encoding: 'utf8', timeout: 150_000 });
}

/** The same runCli the binary calls, in this process: for cases where a spawn per case would take minutes. */
export async function inProcess(args: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const code = await cliMain.runCli(args, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env,
  });
  return { code, stdout, stderr };
}

export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 90_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in: ${seen}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve(seen);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  });
}

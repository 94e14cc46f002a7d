/**
 * The drill interrupted as a terminal user does it: the terminal closes
 * (SIGHUP) or the reader of its output goes away (`drill | head`: a broken
 * pipe). Either way it cleans up as it does on Ctrl-C: its embedded server
 * and stand-ins stopped, its folder removed, exit 130.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../process/start-process';
import { waitFor } from '../support/wait';
import { leftListening, printedFolder, printedPorts } from './drill-process';

jest.setTimeout(240_000);

async function interruptedDrill(
  interrupt: (child: ReturnType<typeof spawn>) => void,
): Promise<{ code: number | null; out: string; leftInTmp: string[]; left: string[] }> {
  const tmp = mkdtempSync(join(tmpdir(), 'drill-signal-tmp-'));
  try {
    const child = spawn(process.execPath, [CLI, 'drill'], {
      // No database URL: the drill starts its own embedded server, which must go too.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await waitFor('the drill to start its first step', () => out.includes('[1/6]'), 180_000);
    const ports = printedPorts(out);
    const folder = printedFolder(out);
    interrupt(child);
    const exit = await code;
    return {
      code: exit,
      out,
      leftInTmp: readdirSync(tmp).filter((name) => !name.startsWith('v8-compile-cache')),
      left: await leftListening(ports, folder),
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

describe('rollback-bot drill interrupted', () => {
  it('on SIGHUP cleans up like on Ctrl-C: exit 130, servers stopped, folder removed', async () => {
    const run = await interruptedDrill((child) => child.kill('SIGHUP'));
    expect(run.code).toBe(130);
    expect(run.leftInTmp).toEqual([]);
    expect(run.left).toEqual([]);
  });

  it(
    'when its output pipe closes (drill | head) cleans up too: exit 130, servers ' + 'stopped, folder removed',
    async () => {
      const run = await interruptedDrill((child) => child.stdout?.destroy());
      expect(run.code).toBe(130);
      expect(run.leftInTmp).toEqual([]);
      expect(run.left).toEqual([]);
    },
  );
});

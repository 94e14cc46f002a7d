/** Shared pieces of the benchmarks: processes, readiness, resident memory, open-loop load. */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../src/store/embedded';
import { percentile } from './types';

export function spawnUntil(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  timeoutMs = 30_000,
): Promise<{ child: ChildProcess; ms: number }> {
  const started = performance.now();
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`not ready within ${timeoutMs} ms: ${seen.slice(-2000)}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      if (ready.test(seen)) {
        clearTimeout(timer);
        resolve({ child, ms: performance.now() - started });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited ${code} before ready: ${seen.slice(-2000)}`)));
  });
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export function residentMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** Open loop: one request every 1000/rate ms whatever the answers do, so slow answers show as latency. */
export async function openLoop(
  rate: number,
  seconds: number,
  send: () => Promise<unknown>,
): Promise<{ p50: number; p99: number; max: number; errors: number; count: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const inFlight: Promise<void>[] = [];
  const total = rate * seconds;
  const start = performance.now();
  for (let i = 0; i < total; i += 1) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    inFlight.push(
      send().then(
        () => void latencies.push(performance.now() - t0),
        () => void (errors += 1),
      ),
    );
  }
  await Promise.all(inFlight);
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: Math.max(...latencies),
    errors,
    count: latencies.length,
  };
}

/**
 * A fresh database for one benchmark: on BENCH_DATABASE_URL / TEST_DATABASE_URL's server
 * when set, otherwise on an embedded server started for the run, so `npm run bench`
 * needs nothing installed.
 */
export async function benchDatabase(label: string): Promise<{ url: string; drop(): Promise<void> }> {
  let embedded: EmbeddedPostgres | undefined;
  let dir: string | undefined;
  let server = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!server) {
    dir = mkdtempSync(join(tmpdir(), 'rollback-bot-bench-pg-'));
    embedded = await startEmbeddedPostgres({ dataDir: join(dir, 'data') });
    server = embedded.url;
  }
  const admin = async (sql: string): Promise<void> => {
    const client = new Client({ connectionString: server });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const name = `rbt_bench_${label}_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await embedded?.discard();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Side by side: `rounds` interleaved rounds, which side goes first
 * alternating each round, each side timing its own work. The headline is the
 * paired ratio, the median of the per-round ratios a/b: each round's two runs
 * share the machine's state, so a busy neighbour or a warm cache cancels out.
 */
export async function pairedRounds(
  rounds: number,
  a: (round: number) => Promise<number>,
  b: (round: number) => Promise<number>,
): Promise<{ a: number[]; b: number[]; ratios: number[]; ratio: number; order: string[] }> {
  const aMs: number[] = [];
  const bMs: number[] = [];
  const order: string[] = [];
  for (let round = 0; round < rounds; round += 1) {
    if (round % 2 === 0) {
      aMs.push(await a(round));
      bMs.push(await b(round));
      order.push('ab');
    } else {
      bMs.push(await b(round));
      aMs.push(await a(round));
      order.push('ba');
    }
  }
  const ratios = aMs.map((ms, round) => ms / (bMs[round] as number));
  return { a: aMs, b: bMs, ratios, ratio: percentile(ratios, 50), order };
}

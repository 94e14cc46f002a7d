/**
 * Sends signed Slack Events API callbacks from a process of its own. With wrk
 * on the PATH (Debian: apt install wrk) the load comes from wrk, whose C event
 * loop leaves the 2 cores to the bot and PostgreSQL; otherwise from a small
 * Node loader. Each request is signed in advance (Slack's window is 5 minutes),
 * and each body is sent once: wrk's threads take disjoint slices, then only
 * ask for a cheap idle path twice a second. The caller says when the work is
 * done (e.g. every event counted in PostgreSQL); the time is measured until
 * then and the loader is stopped.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Generator = 'wrk' | 'node';

export interface LoadResult {
  /** From the first request until `done` said the work is finished. */
  ms: number;
  /** Answers other than 200, and connection errors. */
  failed: number;
  generator: Generator;
}

const generatorAvailable = (): Generator => (spawnSync('wrk', ['--version']).error ? 'node' : 'wrk');

const luaString = (text: string): string =>
  `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

function wrkScript(path: string, idlePath: string, secret: string, bodies: readonly string[]): string {
  const ts = String(Math.floor(Date.now() / 1000));
  const lines = bodies.map((body) => {
    const signature = `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
    return `{${luaString(body)},${luaString(signature)}}`;
  });
  return `
local all = {${lines.join(',\n')}}
local threads = 0
function setup(thread) thread:set("index", threads); threads = threads + 1 end
local mine, next_one, idle = {}, 1, nil
function init(args)
  -- Once its slice is sent, a thread only asks for the idle path every half second until it is stopped.
  -- (Made here, not at load: wrk sets the Host header for each thread before init.)
  idle = wrk.format("GET", ${luaString(idlePath)})
  local count = tonumber(args[1])
  for i = 1, #all do
    if (i - 1) % count == index then
      local item = all[i]
      local headers = {
        ["content-type"] = "application/json",
        ["x-slack-request-timestamp"] = "${ts}",
        ["x-slack-signature"] = item[2],
      }
      mine[#mine + 1] = wrk.format("POST", ${luaString(path)}, headers, item[1])
    end
  end
end
-- wrk calls request() once on thread 0's script before sending anything, to check it: that call must not use up a body.
local checked = false
function request()
  if index == 0 and not checked then
    checked = true
    return idle
  end
  if next_one <= #mine then
    next_one = next_one + 1
    return mine[next_one - 1]
  end
  return idle
end
function delay()
  if next_one > #mine then return 500 end
  return 0
end
function response(status, headers, body)
  if status ~= 200 then io.stderr:write("failed " .. status .. "\\n") end
end
`;
}

const NODE_LOADER = `
const http = require('http'); const fs = require('fs');
const [url, file, concurrency] = process.argv.slice(1);
const requests = JSON.parse(fs.readFileSync(file, 'utf8'));
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrency) });
const target = new URL(url);
let next = 0, failed = 0;
const send = ([body, ts, sig]) => new Promise((resolve) => {
  const headers = {
    'content-type': 'application/json', 'content-length': Buffer.byteLength(body),
    'x-slack-request-timestamp': ts, 'x-slack-signature': sig,
  };
  const options = { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers };
  const req = http.request(options,
    (res) => { if (res.statusCode !== 200) failed += 1; res.resume(); res.on('end', resolve); });
  req.on('error', () => { failed += 1; resolve(); });
  req.end(body);
});
const worker = async () => { while (next < requests.length) { const i = next; next += 1; await send(requests[i]); } };
Promise.all(Array.from({ length: Number(concurrency) }, worker))
  .then(() => { process.stderr.write('failed \\n'.repeat(failed)); agent.destroy(); });
`;

/** Sends every body once, `concurrency` at a time; resolves when `done()` is true (polled every 20 ms). */
export async function sendEvents(
  url: string,
  secret: string,
  bodies: readonly string[],
  dir: string,
  concurrency: number,
  done: () => Promise<boolean>,
  options: { timeoutMs?: number; idlePath: string },
): Promise<LoadResult> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const idlePath = options.idlePath;
  const generator = generatorAvailable();
  const target = new URL(url);
  const file = join(dir, `load-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`);
  let child: ChildProcess;
  if (generator === 'wrk') {
    const threads = 2;
    writeFileSync(`${file}.lua`, wrkScript(target.pathname, idlePath, secret, bodies));
    child = spawn(
      'wrk',
      [
        '-t',
        String(threads),
        '-c',
        String(concurrency),
        '-d',
        `${Math.ceil(timeoutMs / 1000)}s`,
        '-s',
        `${file}.lua`,
        `${target.origin}`,
        '--',
        String(threads),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } else {
    const ts = String(Math.floor(Date.now() / 1000));
    const requests = bodies.map((body) => [
      body,
      ts,
      `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`,
    ]);
    writeFileSync(`${file}.json`, JSON.stringify(requests));
    child = spawn(process.execPath, ['-e', NODE_LOADER, url, `${file}.json`, String(concurrency)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  }
  let failed = 0;
  let said = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    said = `${said}${text}`.slice(-2000);
    failed += [...text.matchAll(/^failed /gm)].length;
  });
  const started = performance.now();
  const deadline = Date.now() + timeoutMs;
  try {
    while (!(await done())) {
      if (Date.now() > deadline)
        throw new Error(
          `the load was not processed within ${timeoutMs} ms (${generator} said: ${said.trim() || 'nothing'})`,
        );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { ms: performance.now() - started, failed, generator };
  } finally {
    child.kill('SIGINT');
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
  }
}

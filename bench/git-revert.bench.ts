/**
 * Issue 4's speed target: a revert-and-push through the adapter takes at most
 * 1.2x the same operations done with the plain git command line, measured side
 * by side, interleaved, on a generated repository of 20,000 commits and 5,000
 * files. The CLI side is what a person types in a clone they keep: fetch,
 * reset --hard to the remote branch, revert --no-edit, push. The adapter does
 * more (validates the id, checks ancestry and its own earlier reverts, writes
 * the incident message), which is the overhead the target bounds.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serviceSchema, type ServiceConfig } from '../src/config/service-schema';
import { GitCodeRollback } from '../src/git/git-code-rollback';
import { silentLogger } from '../src/logger';
import type { IncidentId, ServiceName, SlackUserId } from '../src/rollback/ids';
import type { Bench, BenchResult } from './types';

const COMMITS = 20_000;
const FILES = 5_000;
const ROUNDS = 11;

function fastImportStream(): string {
  const out: string[] = [];
  const when = 1_700_000_000;
  for (let c = 0; c < COMMITS; c += 1) {
    const message = c === 0 ? 'initial: 5000 files' : `change ${c}`;
    out.push('commit refs/heads/main', `mark :${c + 1}`, `committer Dev <dev@example.com> ${when + c * 60} +0000`, `data ${Buffer.byteLength(message)}`, message);
    if (c > 0) out.push(`from :${c}`);
    if (c === 0) {
      for (let f = 0; f < FILES; f += 1) {
        const body = `file ${f}\nline 2\nline 3\n`;
        out.push(`M 644 inline src/dir${f % 50}/file${f}.ts`, `data ${Buffer.byteLength(body)}`, body);
      }
    } else {
      const f = c % FILES;
      const body = `file ${f}\nline 2 changed by ${c}\nline 3\n`;
      out.push(`M 644 inline src/dir${f % 50}/file${f}.ts`, `data ${Buffer.byteLength(body)}`, body);
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

export const bench: Bench = {
  name: 'git revert-and-push',
  async run(): Promise<BenchResult[]> {
    const root = mkdtempSync(join(tmpdir(), 'rollback-bot-bench-git-'));
    const home = join(root, 'home');
    mkdirSync(home);
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C', LC_ALL: 'C', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
    const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      const origin = join(root, 'origin.git');
      git(root, 'init', '-q', '--bare', '-b', 'main', origin);
      execFileSync('git', ['fast-import', '--quiet'], { cwd: origin, env, input: fastImportStream(), maxBuffer: 1 << 26 });
      const cli = join(root, 'cli');
      git(root, 'clone', '-q', '--branch', 'main', origin, cli);
      // A person's clone has an identity configured once, not passed on each command.
      git(cli, 'config', 'user.name', 'Rollback Bot');
      git(cli, 'config', 'user.email', 'rollback-bot@example.com');

      const service = serviceSchema.parse({
        name: 'bench-app',
        vercel: { projectId: 'prj_bench' },
        production: { url: 'https://bench.example' },
        git: { remote: origin, branch: 'main', committer: { name: 'Rollback Bot', email: 'rollback-bot@example.com' } },
        slack: { alertsChannel: 'C0BENCH00' },
        roles: { devopsLead: ['U0LEAD'], cto: ['U0CTO'] },
        workingHours: { timeZone: 'UTC' },
      }) as ServiceConfig;
      const adapter = new GitCodeRollback({ services: [service], workspaceDir: join(root, 'workspace'), logger: silentLogger, env });
      const name = service.name as ServiceName;
      await adapter.branchHead(name); // the working clone exists before the first rollback, like the CLI's

      // Each round reverts a different recent commit (each touches its own file), so no revert conflicts with another.
      const targets = git(origin, 'rev-list', '--max-count', String(ROUNDS * 2 + 1), 'main').trim().split('\n').slice(1);
      const adapterMs: number[] = [];
      const cliMs: number[] = [];
      const viaAdapter = async (target: string, round: number): Promise<void> => {
        const started = performance.now();
        await adapter.revert({ service: name, incidentId: `bench-${round}` as IncidentId, requestedBy: 'U0BENCH' as SlackUserId, target: { commit: target } });
        adapterMs.push(performance.now() - started);
      };
      const viaCli = (target: string): void => {
        const started = performance.now();
        git(cli, 'fetch', 'origin', 'main');
        git(cli, 'reset', '--hard', 'origin/main');
        git(cli, 'revert', '--no-edit', target);
        git(cli, 'push', 'origin', 'main');
        cliMs.push(performance.now() - started);
      };
      for (let round = 0; round < ROUNDS; round += 1) {
        const [forAdapter, forCli] = [targets[round * 2] as string, targets[round * 2 + 1] as string];
        // Alternating who goes first keeps a warm page cache or a busy neighbour from favouring one side.
        if (round % 2 === 0) {
          await viaAdapter(forAdapter, round);
          viaCli(forCli);
        } else {
          viaCli(forCli);
          await viaAdapter(forAdapter, round);
        }
      }
      const adapterMedian = median(adapterMs);
      const cliMedian = median(cliMs);
      const ratio = adapterMedian / cliMedian;
      const pairedRatio = median(adapterMs.map((ms, round) => ms / (cliMs[round] as number)));
      return [
        {
          name: 'git revert-and-push: adapter / plain git CLI',
          value: Number(ratio.toFixed(2)),
          unit: 'x',
          target: '<= 1.2x',
          pass: ratio <= 1.2,
          comparison: `adapter median ${adapterMedian.toFixed(0)} ms vs git CLI median ${cliMedian.toFixed(0)} ms (git fetch origin main; git reset --hard origin/main; git revert --no-edit <sha>; git push origin main); median of the per-round ratios ${pairedRatio.toFixed(2)}x`,
          method: `${COMMITS} commits, ${FILES} files (git fast-import), local bare origin, warm clones, ${ROUNDS} interleaved rounds (alternating which side goes first), medians of each side`,
        },
      ];
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};

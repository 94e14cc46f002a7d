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
import { pairedRounds } from './support';
import { type Bench, type BenchResult, percentile } from './types';

const COMMITS = 20_000;
const FILES = 5_000;
const ROUNDS = 11;

function fastImportStream(): string {
  const out: string[] = [];
  const when = 1_700_000_000;
  for (let c = 0; c < COMMITS; c += 1) {
    const message = c === 0 ? 'initial: 5000 files' : `change ${c}`;
    out.push(
      'commit refs/heads/main',
      `mark :${c + 1}`,
      `committer Dev <dev@example.com> ${when + c * 60} +0000`,
      `data ${Buffer.byteLength(message)}`,
      message,
    );
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

const median = (values: number[]): number => percentile(values, 50);

export const bench: Bench = {
  name: 'git revert-and-push',
  async run(): Promise<BenchResult[]> {
    const root = mkdtempSync(join(tmpdir(), 'rollback-bot-bench-git-'));
    const home = join(root, 'home');
    mkdirSync(home);
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      LANG: 'C',
      LC_ALL: 'C',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
    };
    const git = (cwd: string, ...args: string[]): string =>
      execFileSync('git', args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      const origin = join(root, 'origin.git');
      git(root, 'init', '-q', '--bare', '-b', 'main', origin);
      execFileSync('git', ['fast-import', '--quiet'], {
        cwd: origin,
        env,
        input: fastImportStream(),
        maxBuffer: 1 << 26,
      });
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
      const adapter = new GitCodeRollback({
        services: [service],
        workspaceDir: join(root, 'workspace'),
        logger: silentLogger,
        env,
      });
      const name = service.name as ServiceName;
      await adapter.branchHead(name); // the working clone exists before the first rollback, like the CLI's

      // Each round reverts a different recent commit (each touches its own file), so no revert conflicts with another.
      const targets = git(origin, 'rev-list', '--max-count', String(ROUNDS * 2 + 1), 'main')
        .trim()
        .split('\n')
        .slice(1);
      const viaAdapter = async (round: number): Promise<number> => {
        const started = performance.now();
        await adapter.revert({
          service: name,
          incidentId: `bench-${round}` as IncidentId,
          requestedBy: 'U0BENCH' as SlackUserId,
          target: { commit: targets[round * 2] as string },
        });
        return performance.now() - started;
      };
      const viaCli = (round: number): Promise<number> => {
        const started = performance.now();
        git(cli, 'fetch', 'origin', 'main');
        git(cli, 'reset', '--hard', 'origin/main');
        git(cli, 'revert', '--no-edit', targets[round * 2 + 1] as string);
        git(cli, 'push', 'origin', 'main');
        return Promise.resolve(performance.now() - started);
      };
      // Each round reverts its own two commits; which side goes first alternates.
      const paired = await pairedRounds(ROUNDS, viaAdapter, viaCli);
      const ratio = paired.ratio;
      return [
        {
          name: 'git revert-and-push: adapter / plain git CLI, paired ratio',
          value: Number(ratio.toFixed(2)),
          unit: 'x',
          target: '<= 1.2x',
          pass: ratio <= 1.2,
          comparison:
            `per-round ratios ${paired.ratios.map((r) => r.toFixed(2)).join(', ')}; adapter ` +
            `median ${median(paired.a).toFixed(0)} ms vs git CLI median ` +
            `${median(paired.b).toFixed(0)} ms (git fetch origin main; git reset --hard ` +
            `origin/main; git revert --no-edit <sha>; git push origin main)`,
          method:
            `${COMMITS} commits, ${FILES} files (git fast-import), local bare origin, warm ` +
            `clones, ${ROUNDS} interleaved rounds, first side alternating ` +
            `(${paired.order.join(' ')}); headline = median of the per-round adapter/CLI ` +
            `ratios`,
        },
      ];
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};

/**
 * `rollback-bot drill [--keep] [--break <part>]` and
 * `rollback-bot drill --service <name> [--yes] [--report <file>] [--keep]`.
 * Without --service: the runbook's rollback simulation on this machine (no
 * accounts needed). With it: the runbook's pre-launch checklist against the
 * service's real staging targets. Exit 0 when everything passed, 1 when a
 * step or target failed, 2 on a usage or configuration error.
 */
import { parseArgs } from 'node:util';
import { runDrill } from '../drill/run-drill';
import type { DetectMode } from '../drill/drill-service';
import { BREAKS, type Break } from '../drill/world';
import type { CliIo } from './preflight';

export const DRILL_USAGE = `Usage: rollback-bot drill [--keep] [--break <part>] [--detect alerts|probes]
                          [--github-protected]
       rollback-bot drill --service <name> [--yes] [--report <file>] [--keep]

Without --service, rehearses the whole runbook on this machine with no accounts: embedded PostgreSQL
(or the server of DATABASE_URL), local Slack and Vercel stand-ins, a scratch git repository and app database.
  --keep            leave the drill's folder, databases and embedded server for inspection
  --detect <how>    alerts (default): the bot detects the bad deployment from #prod-alerts (Alertmanager);
                    probes: the alert source is silent and the bot must detect it from its own probes
  --break <part>    make the rollback fail on purpose, to rehearse how the bot reports it:
${Object.entries(BREAKS)
  .map(([name, what]) => `                      ${name}: ${what}`)
  .join('\n')}
  --github-protected  the repository is on GitHub (a local stand-in) with main protected: the git revert
                    goes through a pull request that auto-merges once CI passes

With --service, runs the runbook's pre-launch checklist against that service's targets in the services file
(ROLLBACK_CONFIG): application rollback (timed), git revert, schema migration rollback; writes a report.
  --yes             required for targets that are not on this machine: the drill changes them
  --report <file>   where the markdown report goes (default rollback-drill-<service>-<time>.md)
`;

interface DrillArgs {
  keep: boolean;
  yes: boolean;
  service?: string;
  report?: string;
  breaks: Set<Break>;
  githubProtected: boolean;
  detect: DetectMode;
}

export function parseDrillArgs(argv: readonly string[]): DrillArgs | string {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    return (error as Error).message.split('\n')[0] ?? 'invalid arguments';
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) return `unexpected argument ${positionals[0]}`;
  const breaks = new Set<Break>();
  for (const name of values.break ?? []) {
    if (!(name in BREAKS)) return `--break expects one of ${Object.keys(BREAKS).join(', ')}, got ${name}`;
    breaks.add(name as Break);
  }
  if (values.service !== undefined && breaks.size > 0)
    return '--break is for the local drill; it cannot be combined with --service';
  if (values.service !== undefined && values['github-protected'])
    return '--github-protected is for the local drill; it cannot be combined with --service';
  if (values.service === undefined && (values.yes || values.report !== undefined))
    return '--yes and --report go with --service';
  const detect = values.detect ?? 'alerts';
  if (detect !== 'alerts' && detect !== 'probes') return `--detect expects alerts or probes, got ${detect}`;
  if (values.service !== undefined && values.detect !== undefined)
    return '--detect is for the local drill; it cannot be combined with --service';
  return {
    keep: values.keep ?? false,
    yes: values.yes ?? false,
    service: values.service,
    report: values.report,
    breaks,
    detect,
    githubProtected: values['github-protected'] ?? false,
  };
}

const OPTIONS = {
  keep: { type: 'boolean' },
  yes: { type: 'boolean' },
  service: { type: 'string' },
  report: { type: 'string' },
  break: { type: 'string', multiple: true },
  'github-protected': { type: 'boolean' },
  detect: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function run(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(DRILL_USAGE);
    return 0;
  }
  const args = parseDrillArgs(argv);
  if (typeof args === 'string') {
    io.stderr(`drill: ${args}\n${DRILL_USAGE}`);
    return 2;
  }
  const print = (line: string): void => io.stdout(`${line}\n`);
  if (args.service !== undefined) {
    const { runStagingDrill } = await import('../drill/staging/run-staging');
    return runStagingDrill({
      service: args.service,
      yes: args.yes,
      keep: args.keep,
      report: args.report,
      env: io.env,
      print,
      printError: (line) => io.stderr(`${line}\n`),
    });
  }
  const databaseUrl = io.env.DATABASE_URL?.trim() || undefined;
  return runDrill({
    keep: args.keep,
    databaseUrl,
    breaks: args.breaks,
    detect: args.detect,
    githubProtected: args.githubProtected,
    print,
  });
}

#!/usr/bin/env node
/** The rollback-bot command: one subcommand per job. */
import { parseEnv } from './config/load-config';
import { migrate } from './store/migrate';
import { openDatabase } from './store/open-database';
import { createLogger } from './logger';
import { type Output, runStart } from './main';
import { isRollbackError } from './rollback/errors';

type Subcommand = (argv: string[], io: Output & { env: NodeJS.ProcessEnv }) => Promise<number>;

const USAGE = `Usage: rollback-bot <command> [options]

Commands:
  drill [--keep] [--break <part>]
                                 the runbook's rollback simulation on this machine, no accounts needed;
                                 --service <name> [--yes] runs the pre-launch checklist on staging instead
  start                          run the Slack bot (HTTP or Socket Mode)
  migrate                        apply the bot's own database migrations and exit
  lint-migrations <path>...      classify migration statements: safe, warning, dangerous
                                 [--format text|json] [--database-url URL]; exit 1 when dangerous
  schema-rollback <migration> --database-url URL --migrations <dir> [--execute --approved-by <name>] [--format text|json]
                                 break-glass schema rollback: prints the data-checked plan; with --execute runs it
                                 (archive first, self-verifying); exit 1 when refused, blocked or failed
  restore-archive <archive|migration> --database-url URL
                                 put values archived by a schema rollback back into their table
  preflight <service> [--candidate <commit>] [--production-env <file>] [--format text|json]
                                 the runbook's pre-deployment checklist; exit 1 when a check fails
  help                           this text
`;

async function runMigrate(_argv: string[], io: Output & { env: NodeJS.ProcessEnv }): Promise<number> {
  const env = parseEnv(io.env);
  const logger = createLogger(env.LOG_LEVEL);
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.ROLLBACK_DATA_DIR, migrate: false }, logger);
  try {
    const applied = await migrate(database.db, logger);
    io.stdout(applied.length ? `Applied: ${applied.join(', ')}\n` : 'The database is up to date.\n');
    return 0;
  } finally {
    await database.close();
  }
}

// Loaded on demand: the SQL parser's WASM module is not needed to run the bot.
export const SUBCOMMANDS: Record<string, Subcommand> = {
  start: (_argv, io) => runStart(io.env, io),
  migrate: runMigrate,
  'lint-migrations': async (argv, io) => (await import('./cli/lint-migrations')).run(argv, io),
  'restore-archive': async (argv, io) => (await import('./cli/restore-archive')).run(argv, io),
  'schema-rollback': async (argv, io) => (await import('./cli/schema-rollback')).run(argv, io),
  preflight: async (argv, io) => (await import('./cli/preflight')).run(argv, io),
  drill: async (argv, io) => (await import('./cli/drill')).run(argv, io),
};

export async function runCli(argv: string[], io: Output & { env: NodeJS.ProcessEnv }): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.stdout(USAGE);
    return name ? 0 : 2;
  }
  const subcommand = SUBCOMMANDS[name];
  if (!subcommand) {
    io.stderr(`Unknown command "${name}".\n\n${USAGE}`);
    return 2;
  }
  try {
    return await subcommand(rest, io);
  } catch (error) {
    if (isRollbackError(error)) {
      io.stderr(`rollback-bot ${name}: ${error.explain()}\n`);
      return 1;
    }
    throw error;
  }
}

/** Runs the command with this process's arguments and streams, then exits with its status. */
export function main(argv: string[] = process.argv.slice(2)): void {
  runCli(argv, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  }).then(
    // Exit only once stdout has drained: a piped report (lint JSON) would otherwise be cut short.
    (code) => process.stdout.write('', () => process.exit(code)),
    (error: unknown) => {
      console.error(error);
      process.exit(70);
    },
  );
}

if (require.main === module) main();

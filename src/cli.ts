#!/usr/bin/env node
/** The rollback-bot command: one subcommand per job. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// Only what every subcommand needs is imported here: each subcommand loads its own modules
// (Bolt, pg, the drill, the SQL parser), so `lint-migrations` starts without the whole bot.
import type { Output } from './main';
import { isRollbackError } from './rollback/errors';

type Subcommand = (argv: string[], io: Output & { env: NodeJS.ProcessEnv }) => Promise<number>;

const USAGE = `Usage: rollback-bot <command> [options]
       rollback-bot --version
       rollback-bot help <command>       (or: rollback-bot <command> --help)

Commands:
  drill [--keep] [--break <part>]
                                 the runbook's rollback simulation on this machine, no accounts needed;
                                 --service <name> [--yes] runs the pre-launch checklist on staging instead
  start                          run the Slack bot (HTTP or Socket Mode)
  migrate                        apply the bot's own database migrations and exit
  lint-migrations <path>...      classify migration statements: safe, warning, dangerous
                                 [--format text|json] [--database-url URL]; exit 1 when dangerous
  schema-rollback <migration> --database-url URL --migrations <dir>
                                 [--execute --approved-by <name>] [--format text|json]
                                 break-glass schema rollback: prints the data-checked plan; with --execute runs it
                                 (archive first, self-verifying); exit 1 when refused, blocked or failed
  restore-archive <archive|migration> --database-url URL
                                 put values archived by a schema rollback back into their table
  preflight <service> [--candidate <commit>] [--production-env <file>] [--format text|json]
                                 the runbook's pre-deployment checklist; exit 1 when a check fails
  help [command]                 this text, or that command's
`;

const START_USAGE = `Usage: rollback-bot start

Runs the Slack bot until SIGTERM, SIGINT or SIGHUP, then stops taking work and stops what it started.
Configured by the environment (see README.md):
  SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET   the Slack app (or SLACK_APP_TOKEN for Socket Mode)
  ROLLBACK_CONFIG                         the services file (default ./rollback.config.yaml)
  DATABASE_URL                            the bot's PostgreSQL; unset: an embedded server under ROLLBACK_DATA_DIR
  ROLLBACK_DATA_DIR                       the bot's folder (default ./.data)
  PORT, LOG_LEVEL                         HTTP port (default 3000), log level (default info)
`;

const MIGRATE_USAGE = `Usage: rollback-bot migrate

Applies the bot's own database migrations to DATABASE_URL (or the embedded server under ROLLBACK_DATA_DIR) and exits.
`;

async function runMigrate(_argv: string[], io: Output & { env: NodeJS.ProcessEnv }): Promise<number> {
  const [{ parseEnv }, { migrate }, { openDatabase }, { createLogger }] = await Promise.all([
    import('./config/load-config'),
    import('./store/migrate'),
    import('./store/open-database'),
    import('./logger'),
  ]);
  const env = parseEnv(io.env);
  const logger = createLogger(env.LOG_LEVEL);
  const database = await openDatabase(
    {
      databaseUrl: env.DATABASE_URL,
      dataDir: env.ROLLBACK_DATA_DIR,
      serverDir: env.ROLLBACK_SERVER_DIR,
      migrate: false,
    },
    logger,
  );
  try {
    const applied = await migrate(database.db, logger);
    io.stdout(applied.length ? `Applied: ${applied.join(', ')}\n` : 'The database is up to date.\n');
    return 0;
  } finally {
    await database.close();
  }
}

// Loaded on demand: the SQL parser's WASM module is not needed to run the bot, nor Bolt to lint.
export const SUBCOMMANDS: Record<string, Subcommand> = {
  start: async (_argv, io) => (await import('./main')).runStart(io.env, io),
  migrate: runMigrate,
  'lint-migrations': async (argv, io) => (await import('./cli/lint-migrations')).run(argv, io),
  'restore-archive': async (argv, io) => (await import('./cli/restore-archive')).run(argv, io),
  'schema-rollback': async (argv, io) => (await import('./cli/schema-rollback')).run(argv, io),
  preflight: async (argv, io) => (await import('./cli/preflight')).run(argv, io),
  drill: async (argv, io) => (await import('./cli/drill')).run(argv, io),
};

/** Each command's help, printed without running anything of the command. */
const HELP: Record<string, () => Promise<string>> = {
  start: async () => START_USAGE,
  migrate: async () => MIGRATE_USAGE,
  'lint-migrations': async () => (await import('./cli/lint-migrations')).LINT_USAGE,
  'restore-archive': async () => (await import('./cli/restore-archive')).RESTORE_USAGE,
  'schema-rollback': async () => (await import('./cli/schema-rollback')).SCHEMA_ROLLBACK_USAGE,
  preflight: async () => (await import('./cli/preflight')).PREFLIGHT_USAGE,
  drill: async () => (await import('./cli/drill')).DRILL_USAGE,
};

function version(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return `rollback-bot ${pkg.version}\n`;
}

const wantsHelp = (args: readonly string[]): boolean => {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
};

export async function runCli(argv: string[], io: Output & { env: NodeJS.ProcessEnv }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout(version());
    return 0;
  }
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic !== undefined) {
      const help = HELP[topic];
      if (!help) {
        io.stderr(`Unknown command "${topic}".\n\n${USAGE}`);
        return 2;
      }
      io.stdout(await help());
      return 0;
    }
    io.stdout(USAGE);
    return name ? 0 : 2;
  }
  const subcommand = SUBCOMMANDS[name];
  if (!subcommand) {
    io.stderr(`Unknown command "${name}".\n\n${USAGE}`);
    return 2;
  }
  const help = HELP[name];
  if (help && wantsHelp(rest)) {
    io.stdout(await help());
    return 0;
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

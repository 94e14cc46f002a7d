/**
 * The rollback-bot command's conventions: --version, --help / -h / help <command> for each subcommand (printing help
 * and doing nothing else), and help of an unknown command.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as cliMain from '../../src/cli';
import { EXAMPLE_CONFIG_PATH } from '../support/services';
import { runCli, inProcess } from './cli-support';

describe('rollback-bot command', () => {
  describe('conventions', () => {
    const commands = Object.keys(cliMain.SUBCOMMANDS);

    it('--version prints the package version', () => {
      const result = runCli(['--version'], {});
      expect(result.status).toBe(0);
      const { version } = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as {
        version: string;
      };
      expect(result.stdout).toBe(`rollback-bot ${version}\n`);
    });

    it.each(commands)(
      '%s --help and -h print its help, exit 0 and do nothing else; help %s prints the same',
      async (command) => {
        const dataDir = join(mkdtempSync(join(tmpdir(), 'rollback-bot-help-')), 'data');
        // Enough for start and migrate to do real work, were --help not honoured.
        const env = {
          ROLLBACK_DATA_DIR: dataDir,
          SLACK_BOT_TOKEN: 'xoxb-1',
          SLACK_SIGNING_SECRET: 's',
          ROLLBACK_CONFIG: EXAMPLE_CONFIG_PATH,
          PORT: '0',
        };
        const long = await inProcess([command, '--help'], env);
        expect(long.code).toBe(0);
        expect(long.stdout).toMatch(new RegExp(`^Usage: rollback-bot ${command}`));
        expect(long.stderr).toBe('');
        expect(await inProcess([command, '-h'], env)).toEqual(long);
        expect(await inProcess(['help', command], env)).toEqual(long);
        expect(existsSync(dataDir)).toBe(false);
      },
    );

    it('start --help as a real process prints its help and exits 0 at once', () => {
      const result = runCli(['start', '--help'], {
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_SIGNING_SECRET: 's',
        ROLLBACK_CONFIG: EXAMPLE_CONFIG_PATH,
      });
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^Usage: rollback-bot start/);
    });

    it('help of an unknown command says so with exit 2', async () => {
      const result = await inProcess(['help', 'frobnicate'], {});
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('Unknown command "frobnicate"');
    });
  });
});

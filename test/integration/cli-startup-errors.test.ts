/**
 * The rollback-bot command's start-up errors: each bad or missing setting (log level, Slack secrets, database URL,
 * services file, data folder) names what to fix, without a stack trace.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/store/embedded';
import { EXAMPLE_CONFIG_PATH } from '../support/services';
import { runCli, inProcess } from './cli-support';

describe('rollback-bot command', () => {
  describe('start-up errors name what to fix, without a stack trace', () => {
    const base = {
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 's',
      ROLLBACK_CONFIG: EXAMPLE_CONFIG_PATH,
      PORT: '0',
      LOG_LEVEL: 'silent',
    };
    const failsWith = async (
      env: Record<string, string>,
      message: string | RegExp,
      command = 'start',
    ): Promise<void> => {
      const result = await inProcess([command], env);
      expect(result.code).toBe(1);
      if (typeof message === 'string') expect(result.stderr).toContain(message);
      else expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    };

    it(
      'an invalid LOG_LEVEL, checked before the logger exists (a real process: nothing ' + 'but the message on stderr)',
      () => {
        const result = runCli(['start'], { ...base, LOG_LEVEL: 'loud' });
        expect(result.status).toBe(1);
        expect(result.stderr).toBe(
          'rollback-bot cannot start.\nInvalid environment:\nLOG_LEVEL: expected one of ' +
            'fatal, error, warn, info, debug, trace, silent Fix the variables named above and ' +
            'start again.\n',
        );
        expect(result.stdout).toBe('');
      },
    );

    it('an invalid LOG_LEVEL in-process too', async () => {
      await failsWith(
        { ...base, LOG_LEVEL: 'loud' },
        'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent',
      );
    });

    it('a bot token without a signing secret', async () => {
      await failsWith({ ...base, SLACK_SIGNING_SECRET: '' }, 'SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not');
    });

    it('a DATABASE_URL that is not a URL, without echoing it', async () => {
      const result = await inProcess(['start'], { ...base, DATABASE_URL: 'host=db password=hunter2' });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        'DATABASE_URL: expected a URL such as postgres://user:password@host:5432/database',
      );
      expect(result.stderr).not.toContain('hunter2');
    });

    it('an unreachable database, naming host and port', async () => {
      // A port nothing listens on (just released by the system), so the refusal is certain.
      const port = await freePort();
      await failsWith(
        { ...base, DATABASE_URL: `postgres://bot@127.0.0.1:${port}/bot` },
        `Cannot reach the database of DATABASE_URL at 127.0.0.1:${port} (ECONNREFUSED).`,
      );
    });

    it('a services file that exists but cannot be read says so (not "copy the example")', async () => {
      const folder = mkdtempSync(join(tmpdir(), 'rollback-bot-config-dir-'));
      const result = await inProcess(['start'], { ...base, ROLLBACK_CONFIG: folder });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `The services file ${folder} exists but cannot be read (EISDIR). ROLLBACK_CONFIG ` +
          `must name a file, not a folder.`,
      );
      expect(result.stderr).not.toContain('Copy rollback.config.example.yaml');
    });

    it('a data folder the bot cannot write names the user that needs access', async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'rollback-bot-nodir-')), 'a-file');
      writeFileSync(file, '');
      const user = userInfo();
      await failsWith(
        { ...base, ROLLBACK_DATA_DIR: join(file, 'data') },
        `The data folder ${join(file, 'data')} is not writable by the user the bot runs ` +
          `as (${user.username}, uid ${user.uid})`,
      );
      await failsWith(
        { ROLLBACK_DATA_DIR: join(file, 'data') },
        'In Docker the image runs as "node" (uid 1000)',
        'migrate',
      );
    });
  });
});

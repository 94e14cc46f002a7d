/**
 * `git revert` has no option for the commit message: it commits git's own
 * "Revert ..." text, and rewording it afterwards is a second commit that
 * loads and refreshes the whole index again (about as slow as the revert).
 * A prepare-commit-msg hook lets the revert commit the bot's message in the
 * same process. The hook sits in a folder of its own inside the clone's .git
 * and is named with core.hooksPath on that one command only: no other command
 * runs it, and the clone's own hooks do not run during the revert.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { shellQuote } from './git-env';

const HOOK_DIR = 'rollback-bot-hooks';
const MESSAGE_FILE = 'ROLLBACK_BOT_MSG';

/** Writes `message` where the hook reads it and returns the `-c` arguments that enable the hook for one command. */
export async function messageHookArgs(gitDir: string, message: string): Promise<string[]> {
  const hooks = join(gitDir, HOOK_DIR);
  const messageFile = join(gitDir, MESSAGE_FILE);
  await mkdir(hooks, { recursive: true });
  await writeFile(messageFile, message);
  const hook = join(hooks, 'prepare-commit-msg');
  // Rewritten every time, so a hook edited on disk never runs in its place.
  await writeFile(
    hook,
    `#!/bin/sh\n# Written by rollback-bot: the revert commits the message the bot ` +
      `prepared.\ncat ${shellQuote(messageFile)} > "$1"\n`,
  );
  await chmod(hook, 0o755);
  return ['-c', `core.hooksPath=${hooks}`];
}

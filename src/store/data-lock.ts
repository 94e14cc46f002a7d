/**
 * One process per data folder. Two bots on one folder would share one
 * PostgreSQL server, and either one stopping would stop it under the other:
 * the second is refused instead. The lock is a file beside the folder holding
 * the owner's pid, made with O_EXCL; a lock whose process is gone is stale
 * (the owner was killed) and is taken over.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { RollbackError } from '../rollback/errors';

export interface DataLock {
  readonly path: string;
  release(): void;
}

/** Locks this process holds, so a pid of ours in a lock file is stale only when we do not hold it. */
const held = new Set<string>();

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(path: string): number | undefined {
  try {
    return Number(readFileSync(path, 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
}

export function lockDataFolder(folder: string): DataLock {
  const path = `${folder}.lock`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(path, `${process.pid}\n${new Date().toISOString()}\n`, { flag: 'wx', mode: 0o600 });
      held.add(path);
      return {
        path,
        release: () => {
          if (!held.delete(path)) return;
          if (holderOf(path) === process.pid) unlinkSync(path);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new RollbackError(
          'config_invalid',
          `Cannot lock the data folder ${folder}: ${(error as Error).message}.`,
          {
            cause: error,
            fix:
              `Give the user running the bot write access to ${folder}'s parent folder, or set ` +
              `ROLLBACK_DATA_DIR to a folder it can write.`,
          },
        );
      }
      const pid = holderOf(path);
      const ours = pid === process.pid && held.has(path);
      if (ours || (pid !== undefined && pid !== process.pid && alive(pid))) {
        throw new RollbackError(
          'conflict',
          `The data folder ${folder} is in use by another rollback-bot process (pid ${pid}).`,
          {
            fix:
              'Stop that process first, or give this one its own ROLLBACK_DATA_DIR (or a ' +
              'DATABASE_URL). Two bots on one embedded server would stop it under each other.',
          },
        );
      }
      // Stale: its process is gone. Remove and try once more (a racing starter wins the O_EXCL create).
      try {
        unlinkSync(path);
      } catch {
        // another starter removed it first
      }
    }
  }
  throw new RollbackError('conflict', `The data folder ${folder} is being locked by another process right now.`, {
    fix: 'Start only one bot per data folder.',
  });
}

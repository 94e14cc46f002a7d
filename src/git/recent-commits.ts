/**
 * The deploy branch's recent history as the bot lists it to pick a last known
 * good commit: production and last known good marked, the bot's own rollback
 * commits tagged with their incident.
 */
import type { CommitSha } from '../rollback/ids';
import type { CommitSummary, ListCommitsInput } from '../rollback/ports/code';
import { TRAILER_INCIDENT } from './commit-message';
import type { WorkingClone } from './working-clone';

const LIST_FORMAT = [
  '%H',
  '%P',
  '%an',
  '%cI',
  '%s',
  `%(trailers:key=${TRAILER_INCIDENT},valueonly,separator=%x2C)`,
].join('%x1f');

/** The newest commits of the deploy branch head (input.limit, 1 to 100, default 10). */
export async function listRecentCommits(clone: WorkingClone, input: ListCommitsInput): Promise<CommitSummary[]> {
  const limit = Math.min(Math.max(Math.trunc(input.limit ?? 10), 1), 100);
  return clone.exclusive(async () => {
    const head = await clone.sync();
    const out = await clone.run(['log', `--max-count=${limit}`, `--format=${LIST_FORMAT}`, head, '--'], 'log');
    const marks = (sha: string, mark: string | undefined): boolean => mark !== undefined && sha.startsWith(mark);
    return out
      .split('\n')
      .filter((line) => line.includes('\x1f'))
      .map((line) => {
        const [sha = '', parents = '', author = '', date = '', subject = '', incident = ''] = line.split('\x1f');
        const parentList = parents.split(' ').filter(Boolean) as CommitSha[];
        return {
          sha: sha as CommitSha,
          shortSha: sha.slice(0, 7),
          subject,
          author,
          committedAt: new Date(date),
          parents: parentList,
          isMerge: parentList.length > 1,
          isProduction: marks(sha, input.productionSha),
          isLastKnownGood: marks(sha, input.lastKnownGoodSha),
          ...(incident ? { rollbackIncident: incident.split(',')[0] } : {}),
        };
      });
  });
}

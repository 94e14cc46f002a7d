/**
 * Everything Option A needs to know before it reverts, read in one history
 * walk: the branch head, the commits to revert (each checked to be on the
 * branch), and any earlier revert by the bot for the same incident.
 *
 * The walk lists `<fetched head> ^<oldest>^@`: the commits reachable from
 * the fetched remote head and not from the oldest target's parents. The
 * oldest target is in that list exactly when it is an ancestor of the head,
 * so the list is the ancestor check. Every commit between the target and the
 * head is in it too, so is any revert the bot made of the target (a revert is
 * made on top of a head that holds the target, so it descends from it), and
 * so is a range's first-parent line. `--topo-order` prints no commit before
 * its children: the first line is the head. The walk only reads history, so
 * it runs while the work tree is being checked out.
 *
 * Merge commits are reverted with `-m 1`. A merge's first parent is the
 * branch the work was merged into (the deploy branch's own line); reverting
 * against it undoes exactly what the merge brought in, which is what "take
 * that change out of production" means. Ranges follow the first-parent line
 * only, so a merged branch's own commits are not reverted a second time on
 * top of their merge.
 */
import { RollbackError } from '../rollback/errors';
import { type CommitSha, parseCommitSha } from '../rollback/ids';
import type { RevertTarget } from '../rollback/ports/code';
import {
  OWN_COMMIT_FORMAT,
  TRAILER_INCIDENT,
  parseOwnCommits,
  type OwnCommitRecord,
  type RevertedCommit,
} from './commit-message';
import type { WorkingClone } from './working-clone';

/** A range longer than this is almost certainly a mistake in the request. */
const MAX_RANGE = 100;

const WALK_FORMAT = ['%H', '%P', '%s', `%(trailers:key=${TRAILER_INCIDENT},valueonly,separator=%x2C)`].join('%x1f');

interface WalkedCommit {
  readonly sha: CommitSha;
  readonly parents: readonly CommitSha[];
  readonly subject: string;
  readonly incidents: readonly string[];
}

interface RevertPlan {
  readonly head: CommitSha;
  /** Newest first. */
  readonly commits: readonly RevertedCommit[];
  /** The bot's earlier revert of all of `commits` for this incident, if there is one. */
  readonly earlier?: OwnCommitRecord;
}

function parseWalk(out: string): WalkedCommit[] {
  return out
    .split('\n')
    .filter((line) => line.includes('\x1f'))
    .map((line) => {
      const [sha = '', parents = '', subject = '', incidents = ''] = line.split('\x1f');
      return {
        sha: sha as CommitSha,
        parents: parents.split(' ').filter(Boolean) as CommitSha[],
        subject,
        incidents: incidents
          .split(',')
          .map((id) => id.trim())
          .filter(Boolean),
      };
    });
}

const asReverted = (commit: WalkedCommit): RevertedCommit => ({
  sha: commit.sha,
  subject: commit.subject,
  isMerge: commit.parents.length > 1,
});

export async function planRevert(clone: WorkingClone, target: RevertTarget, incidentId: string): Promise<RevertPlan> {
  const oldestRaw = 'commit' in target ? target.commit : target.oldest;
  // Checked to be hex before git sees it, and after --end-of-options: never an option.
  const oldestId = parseCommitSha(oldestRaw);
  // The newest end of a range is resolved by git, so an ambiguous id is refused rather than guessed.
  const newestSha = 'commit' in target ? undefined : (await clone.resolveExisting(parseCommitSha(target.newest))).sha;
  let walked: WalkedCommit[];
  try {
    walked = parseWalk(
      await clone.raw([
        'log',
        '--topo-order',
        `--format=${WALK_FORMAT}`,
        '--end-of-options',
        clone.remoteRef,
        `^${oldestId}^@`,
        '--',
      ]),
    );
  } catch (error) {
    await clone.resolveExisting(oldestId); // names a missing or ambiguous id as bad input
    throw clone.translate(error, 'log');
  }
  const byId = new Map(walked.map((commit) => [commit.sha, commit]));
  // git resolved the id to one commit, so at most one walked commit carries the prefix.
  const oldest = walked.find((commit) => commit.sha.startsWith(oldestId));
  const newest = newestSha === undefined ? oldest : byId.get(newestSha);
  const head = walked[0]?.sha ?? (await clone.currentHead(clone.remoteRef));
  if (!oldest || !newest) {
    const missing = !oldest ? oldestRaw : 'commit' in target ? target.commit : target.newest;
    await clone.resolveAncestor(missing, head); // throws "not on the branch" (or "no such commit")
    throw rangeOrderError(target);
  }
  const commits = firstParentLine(newest, oldest, byId, target);
  const earlier = await earlierRevert(clone, incidentId, commits, walked);
  return { head, commits, ...(earlier ? { earlier } : {}) };
}

function rangeOrderError(target: RevertTarget): RollbackError {
  const [oldest, newest] = 'commit' in target ? [target.commit, target.commit] : [target.oldest, target.newest];
  return new RollbackError('bad_input', `${oldest} is not an older commit on the first-parent line of ${newest}.`, {
    fix: 'Give the oldest commit first and the newest second, both from the branch history the bot lists.',
  });
}

/** newest, its first parent, ... down to oldest (newest first). */
function firstParentLine(
  newest: WalkedCommit,
  oldest: WalkedCommit,
  byId: ReadonlyMap<string, WalkedCommit>,
  target: RevertTarget,
): RevertedCommit[] {
  const line: RevertedCommit[] = [];
  let current: WalkedCommit | undefined = newest;
  while (current) {
    line.push(asReverted(current));
    if (current.sha === oldest.sha) return line;
    if (line.length >= MAX_RANGE) {
      throw new RollbackError('bad_input', `That range holds more than ${MAX_RANGE} commits.`, {
        fix: 'Revert a shorter range, or use a Vercel rollback / Option B to go back that far.',
      });
    }
    const parent: CommitSha | undefined = current.parents[0];
    current = parent === undefined ? undefined : byId.get(parent);
  }
  throw rangeOrderError(target);
}

async function earlierRevert(
  clone: WorkingClone,
  incidentId: string,
  commits: readonly RevertedCommit[],
  walked: readonly WalkedCommit[],
): Promise<OwnCommitRecord | undefined> {
  const ours = walked.filter((commit) => commit.incidents.includes(incidentId)).map((commit) => commit.sha);
  if (ours.length === 0) return undefined;
  const records = parseOwnCommits(
    await clone.run(
      ['log', '--no-walk=unsorted', `--format=${OWN_COMMIT_FORMAT}`, '--end-of-options', ...ours, '--'],
      'log',
    ),
  );
  return records.find(
    (record) =>
      record.incidentIds.includes(incidentId) && commits.every((commit) => record.reverted.includes(commit.sha)),
  );
}

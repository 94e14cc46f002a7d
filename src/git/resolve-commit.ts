/**
 * Commit ids as users give them to commits of a working clone: the full sha,
 * parents and subject, and whether the commit is on the deploy branch.
 */
import { RollbackError } from '../rollback/errors';
import { type CommitSha, parseCommitSha } from '../rollback/ids';
import type { WorkingClone } from './working-clone';

export interface ResolvedCommit {
  readonly sha: CommitSha;
  readonly parents: readonly CommitSha[];
  readonly subject: string;
}

/**
 * User text to a full commit sha that is an ancestor of `head`, or a
 * bad_input error. The text is checked to be hex before git sees it, so it
 * can never be read as an option.
 */
export async function resolveAncestor(clone: WorkingClone, raw: string, head: CommitSha): Promise<ResolvedCommit> {
  const short = parseCommitSha(raw);
  const commit = await resolveExisting(clone, short);
  let base = '';
  try {
    base = (await clone.raw(['merge-base', commit.sha, head])).trim();
  } catch {
    base = '';
  }
  if (base !== commit.sha) {
    throw new RollbackError('bad_input', `Commit ${short} is not on ${clone.branch} of ${clone.service.name}.`, {
      fix: `Pick a commit from the branch's recent history (the list the bot shows); the head is ${head.slice(0, 7)}.`,
    });
  }
  return commit;
}

/** A commit id (already validated as hex) to its full sha, parents and subject. */
export async function resolveExisting(clone: WorkingClone, short: CommitSha): Promise<ResolvedCommit> {
  let line: string;
  try {
    line = (
      await clone.raw([
        'log',
        '-1',
        '--no-walk',
        '--format=%H%x1f%P%x1f%s',
        '--end-of-options',
        `${short}^{commit}`,
        '--',
      ])
    ).trim();
  } catch (error) {
    const ambiguous =
      /ambiguous/i.test(String((error as Error).message)) &&
      !/unknown revision/i.test(String((error as Error).message));
    throw new RollbackError('bad_input', `No commit ${short} in ${clone.service.name}'s repository.`, {
      fix: ambiguous
        ? 'That prefix matches several commits: give more characters of the id.'
        : `Pick a commit from ${clone.branch}'s recent history (the list the bot shows).`,
    });
  }
  const [sha = '', parents = '', subject = ''] = line.split('\x1f');
  return { sha: sha as CommitSha, parents: parents.split(' ').filter(Boolean) as CommitSha[], subject };
}

/**
 * Option A: revert one commit or a first-parent range in a single commit on
 * the deploy branch.
 *
 * Merge commits are reverted with `-m 1`. A merge's first parent is the
 * branch the work was merged into (the deploy branch's own line); reverting
 * against it undoes exactly what the merge brought in, which is what
 * "take that change out of production" means. Ranges are walked along the
 * first-parent line only, so a merged branch's own commits are not reverted a
 * second time on top of their merge.
 */
import { RollbackError } from '../rollback/errors';
import type { CommitSha } from '../rollback/ids';
import type { RevertTarget } from '../rollback/ports/code';
import { OWN_COMMIT_FORMAT, TRAILER_INCIDENT, parseOwnCommits, type OwnCommitRecord, type RevertedCommit } from './commit-message';
import { gitFailure, gitOutputOf } from './git-errors';
import type { WorkingClone } from './working-clone';

/** A range longer than this is almost certainly a mistake in the request. */
export const MAX_RANGE = 100;

/** The commits to revert, newest first, each checked to be on the branch. */
export async function resolveTarget(clone: WorkingClone, target: RevertTarget, head: CommitSha): Promise<RevertedCommit[]> {
  if ('commit' in target) {
    const commit = await clone.resolveAncestor(target.commit, head);
    return [{ sha: commit.sha, subject: commit.subject, isMerge: commit.parents.length > 1 }];
  }
  const oldest = await clone.resolveAncestor(target.oldest, head);
  const newest = await clone.resolveAncestor(target.newest, head);
  if (oldest.sha === newest.sha) return [{ sha: newest.sha, subject: newest.subject, isMerge: newest.parents.length > 1 }];
  const out = await clone.run(['rev-list', '--first-parent', '--parents', `--max-count=${MAX_RANGE + 1}`, '--format=%s', newest.sha, `^${oldest.sha}`, '--'], 'rev-list');
  const commits: Array<RevertedCommit & { firstParent?: string }> = [];
  const lines = out.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const header = lines[i] ?? '';
    if (!header.startsWith('commit ')) continue;
    const [sha = '', ...parents] = header.slice('commit '.length).trim().split(' ');
    commits.push({ sha: sha as CommitSha, subject: lines[i + 1] ?? '', isMerge: parents.length > 1, firstParent: parents[0] });
  }
  const last = commits.at(-1);
  if (!last || last.firstParent !== oldest.sha) {
    throw new RollbackError('bad_input', `${target.oldest} is not an older commit on the first-parent line of ${target.newest}.`, {
      fix: 'Give the oldest commit first and the newest second, both from the branch history the bot lists.',
    });
  }
  if (commits.length + 1 > MAX_RANGE) {
    throw new RollbackError('bad_input', `That range holds more than ${MAX_RANGE} commits.`, {
      fix: 'Revert a shorter range, or use a Vercel rollback / Option B to go back that far.',
    });
  }
  return [...commits.map(({ sha, subject, isMerge }) => ({ sha, subject, isMerge })), { sha: oldest.sha, subject: oldest.subject, isMerge: oldest.parents.length > 1 }];
}

/** The bot's own commits for an incident in `range` (newest first). */
export async function ownCommits(clone: WorkingClone, incidentId: string, range: readonly string[]): Promise<OwnCommitRecord[]> {
  const grep = ['--fixed-strings', `--grep=${TRAILER_INCIDENT}: ${incidentId}`];
  // Counting first: it always prints, while a log that matches nothing is silent and simple-git waits 50 ms on silence.
  const count = await clone.run(['rev-list', '--count', ...grep, ...range, '--'], 'rev-list');
  if (count.trim() === '0') return [];
  const out = await clone.run(['log', `--format=${OWN_COMMIT_FORMAT}`, ...grep, ...range, '--'], 'log');
  return parseOwnCommits(out).filter((record) => record.incidentIds.includes(incidentId));
}

/** An earlier revert by the bot, for this incident, of every requested commit. */
export async function findEarlierRevert(clone: WorkingClone, incidentId: string, commits: readonly RevertedCommit[], head: CommitSha): Promise<OwnCommitRecord | undefined> {
  const oldest = commits.at(-1);
  if (!oldest) return undefined;
  const records = await ownCommits(clone, incidentId, [head, `^${oldest.sha}`]);
  return records.find((record) => commits.every((commit) => record.reverted.includes(commit.sha)));
}

async function conflictedFiles(clone: WorkingClone): Promise<string[]> {
  try {
    const out = await clone.raw(['diff', '--name-only', '--diff-filter=U', '-z']);
    return out.split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

const NOTHING_TO_COMMIT = /nothing to commit|nothing added to commit|no changes added/i;

function nothingToRevert(clone: WorkingClone, what: string, output: string) {
  return gitFailure('nothing_to_revert', `${what} changes nothing on ${clone.branch} of ${clone.service.name}: its changes are already gone from the branch.`, {
    fix: 'Check the branch history: someone may have reverted it already. Nothing was pushed.',
    gitOutput: output,
    secrets: clone.secrets,
  });
}

/**
 * Reverts `commits` into one commit carrying `message`, or aborts and reports
 * the conflicting files. One commit is reverted and then reworded (both steps
 * print, which keeps simple-git from idling); a range is applied with
 * --no-commit and committed once.
 */
export async function revertInOneCommit(clone: WorkingClone, commits: readonly RevertedCommit[], message: string, what: string): Promise<CommitSha> {
  const mainline = commits.some((commit) => commit.isMerge) ? ['-m', '1'] : [];
  const single = commits.length === 1;
  try {
    await clone.raw(['revert', single ? '--no-edit' : '--no-commit', ...mainline, ...commits.map((commit) => commit.sha)]);
  } catch (error) {
    const output = gitOutputOf(error);
    const files = await conflictedFiles(clone);
    try {
      await clone.raw(['revert', '--abort']);
    } catch {
      await clone.run(['revert', '--quit'], 'revert --quit');
    }
    if (files.length === 0 && NOTHING_TO_COMMIT.test(output)) throw nothingToRevert(clone, what, output);
    const named = commits.map((commit) => commit.sha.slice(0, 7)).join(', ');
    if (files.length > 0 || /conflict/i.test(output)) {
      throw gitFailure('merge_conflict', `Reverting ${named} on ${clone.branch} of ${clone.service.name} conflicts with later changes${files.length > 0 ? ` in ${files.join(', ')}` : ''}. The revert was aborted; nothing was pushed.`, {
        fix: 'Later commits changed the same lines: revert by hand in a pull request and resolve the conflicts there, or roll back with Vercel instead.',
        gitOutput: output,
        secrets: clone.secrets,
        details: { files, commits: commits.map((commit) => commit.sha) },
      });
    }
    throw clone.translate(error, 'revert');
  }
  return commitStaged(clone, message, what, single);
}

/** Commits what is staged (or rewords the last commit); an empty result means the changes are already gone. */
export async function commitStaged(clone: WorkingClone, message: string, what: string, amend = false): Promise<CommitSha> {
  let summary: string;
  try {
    // Full-length ids in the summary line ("[main <sha>] subject") save asking git for the new head.
    summary = await clone.raw(['-c', 'core.abbrev=40', 'commit', ...(amend ? ['--amend'] : []), '--cleanup=whitespace', '-m', message]);
  } catch (error) {
    const output = gitOutputOf(error);
    if (NOTHING_TO_COMMIT.test(output)) throw nothingToRevert(clone, what, output);
    throw clone.translate(error, 'commit');
  }
  const printed = /^\[[^\]]*?([0-9a-f]{40})\]/m.exec(summary)?.[1];
  return (printed ?? (await clone.run(['rev-parse', 'HEAD'])).trim()) as CommitSha;
}

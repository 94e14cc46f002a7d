/**
 * Option A's git steps: revert one commit or a first-parent range (chosen and
 * checked by revert-plan) in a single commit, or abort and name the
 * conflicting files.
 */
import type { CommitSha } from '../rollback/ids';
import {
  OWN_COMMIT_FORMAT,
  TRAILER_INCIDENT,
  parseOwnCommits,
  type OwnCommitRecord,
  type RevertedCommit,
} from './commit-message';
import { gitFailure, gitOutputOf } from './git-errors';
import { messageHookArgs } from './message-hook';
import type { WorkingClone } from './working-clone';

/** The bot's own commits for an incident in `range` (newest first). */
export async function ownCommits(
  clone: WorkingClone,
  incidentId: string,
  range: readonly string[],
): Promise<OwnCommitRecord[]> {
  const grep = ['--fixed-strings', `--grep=${TRAILER_INCIDENT}: ${incidentId}`];
  // Counting first: it always prints, while a log that matches nothing is silent and simple-git waits 50 ms on silence.
  const count = await clone.run(['rev-list', '--count', ...grep, ...range, '--'], 'rev-list');
  if (count.trim() === '0') return [];
  const out = await clone.run(['log', `--format=${OWN_COMMIT_FORMAT}`, ...grep, ...range, '--'], 'log');
  return parseOwnCommits(out).filter((record) => record.incidentIds.includes(incidentId));
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
  return gitFailure(
    'nothing_to_revert',
    `${what} changes nothing on ${clone.branch} of ${clone.service.name}: its changes ` +
      `are already gone from the branch.`,
    {
      fix: 'Check the branch history: someone may have reverted it already. Nothing was pushed.',
      gitOutput: output,
      secrets: clone.secrets,
    },
  );
}

/** Full-length ids in git's summary line ("[main <sha>] subject") save asking git for the new head. */
const FULL_IDS = ['-c', 'core.abbrev=40'];

const SUMMARY = /^\[[^\]]*?([0-9a-f]{40})\] ?(.*)$/m;

function printedCommit(summary: string): string | undefined {
  return SUMMARY.exec(summary)?.[1];
}

/**
 * Reverts `commits` into one commit carrying `message`, or aborts and reports
 * the conflicting files. One commit is reverted and committed with the bot's
 * message in one process (see message-hook); a range is applied with
 * --no-commit and committed once.
 */
export async function revertInOneCommit(
  clone: WorkingClone,
  commits: readonly RevertedCommit[],
  message: string,
  what: string,
): Promise<CommitSha> {
  const mainline = commits.some((commit) => commit.isMerge) ? ['-m', '1'] : [];
  const shas = commits.map((commit) => commit.sha);
  const single = commits.length === 1;
  let summary = '';
  try {
    summary = single
      ? await clone.raw([
          ...(await messageHookArgs(clone.gitDir, message)),
          ...FULL_IDS,
          'revert',
          '--no-edit',
          '--cleanup=whitespace',
          ...mainline,
          '--end-of-options',
          ...shas,
        ])
      : await clone.raw(['revert', '--no-commit', ...mainline, '--end-of-options', ...shas]);
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
      throw gitFailure(
        'merge_conflict',
        `Reverting ${named} on ${clone.branch} of ${clone.service.name} conflicts with ` +
          `later changes${files.length > 0 ? ` in ${files.join(', ')}` : ''}. The revert ` +
          `was aborted; nothing was pushed.`,
        {
          fix:
            'Later commits changed the same lines: revert by hand in a pull request and ' +
            'resolve the conflicts there, or roll back with Vercel instead.',
          gitOutput: output,
          secrets: clone.secrets,
          details: { files, commits: commits.map((commit) => commit.sha) },
        },
      );
    }
    throw clone.translate(error, 'revert');
  }
  if (!single) return commitStaged(clone, message, what);
  const [, sha, subject] = SUMMARY.exec(summary) ?? [];
  if (sha && subject === message.split('\n', 1)[0]) return sha as CommitSha;
  // The hook did not run (a workspace mounted noexec, say): without the trailers the bot would not know its own revert.
  clone.logger.warn({ summary: summary.slice(0, 200) }, 'the revert did not take the prepared message; rewording it');
  return commitStaged(clone, message, what, true);
}

/** Commits what is staged (or rewords the last commit); an empty result means the changes are already gone. */
export async function commitStaged(
  clone: WorkingClone,
  message: string,
  what: string,
  amend = false,
): Promise<CommitSha> {
  let summary: string;
  try {
    summary = await clone.raw([
      ...FULL_IDS,
      'commit',
      ...(amend ? ['--amend'] : []),
      '--cleanup=whitespace',
      '-m',
      message,
    ]);
  } catch (error) {
    const output = gitOutputOf(error);
    if (NOTHING_TO_COMMIT.test(output)) throw nothingToRevert(clone, what, output);
    throw clone.translate(error, 'commit');
  }
  return (printedCommit(summary) ?? (await clone.currentHead())) as CommitSha;
}

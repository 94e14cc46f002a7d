/**
 * Make a commit on the fetched head and push it; when the push loses a race
 * (someone pushed between our fetch and our push), fetch and redo the change
 * on the new head once, then give up and report: a second race means someone
 * is actively pushing and a human should coordinate.
 */
import { isRollbackError } from '../rollback/errors';
import type { CommitSha } from '../rollback/ids';
import { gitFailure } from './git-errors';
import type { WorkingClone } from './working-clone';

/**
 * What one attempt decided: push the commit it made, or nothing to do (already done earlier); `head` is the remote head
 * it started from.
 */
type Attempt<T> = { readonly kind: 'push' | 'done'; readonly value: T; readonly head: CommitSha };

interface RedoOutcome<T> {
  readonly value: T;
  readonly pushed: boolean;
  readonly redone: boolean;
  /** The remote head the successful attempt started from. */
  readonly startedFrom: CommitSha;
}

/**
 * After each fetch, `attempt` is called while the work tree is still being
 * checked out, so it can read history (the fetched remoteRef) meanwhile; it
 * must await `checkedOut` before it touches the work tree. `checkedOut`
 * yields the head when cleaning learnt it anyway.
 */
export async function pushWithOneRedo<T>(
  clone: WorkingClone,
  attempt: (checkedOut: Promise<CommitSha | undefined>) => Promise<Attempt<T>>,
): Promise<RedoOutcome<T>> {
  for (let round = 1; ; round += 1) {
    await clone.fetchBranch();
    const checkedOut = clone.checkoutFetched();
    let outcome: Attempt<T>;
    try {
      outcome = await attempt(checkedOut);
    } finally {
      // Never leave with a checkout still running: the next action would find the index locked.
      await checkedOut.catch(() => undefined);
    }
    const head = outcome.head;
    const redone = round > 1;
    if (outcome.kind === 'done') return { value: outcome.value, pushed: false, redone, startedFrom: head };
    try {
      await clone.push();
      return { value: outcome.value, pushed: true, redone, startedFrom: head };
    } catch (error) {
      if (!isRollbackError(error) || error.details.reason !== 'non_fast_forward') throw error;
      if (round >= 2) {
        throw gitFailure(
          'non_fast_forward',
          `The push to ${clone.branch} of ${clone.service.name} was rejected twice: the ` +
            `branch moved again while the bot redid the change on the new head. Nothing was ` +
            `changed on the remote.`,
          {
            retryable: true,
            fix: 'Someone is pushing to the deploy branch right now: ask them to hold, then run the rollback again.',
            gitOutput: typeof error.details.gitOutput === 'string' ? error.details.gitOutput : undefined,
            secrets: clone.secrets,
            details: { attempts: round },
          },
        );
      }
    }
  }
}

/**
 * The runbook's decision tree: "Is production broken? -> Can it be hotfixed
 * in <5 min? -> ROLLBACK IMMEDIATELY". The hotfix answer is a claim with a
 * five-minute timer; when it runs out the bot asks again and proposes the
 * rollback. A rollback command is never held back by the question.
 */
import { RollbackError } from '../errors';
import type { SlackUserId } from '../ids';

export const HOTFIX_WINDOW_MS = 5 * 60_000;

/** The hotfix question of one incident. `round` counts how many times it has been asked. */
export type HotfixQuestion =
  | { readonly status: 'asked'; readonly round: number; readonly askedAt: Date }
  | {
      readonly status: 'hotfix_claimed';
      readonly round: number;
      readonly claimedBy: SlackUserId;
      readonly claimedAt: Date;
    }
  | { readonly status: 'hotfixed'; readonly round: number; readonly by: SlackUserId; readonly at: Date }
  | { readonly status: 'rollback_chosen'; readonly round: number; readonly by: SlackUserId; readonly at: Date };

export function askHotfixQuestion(at: Date): HotfixQuestion {
  return { status: 'asked', round: 1, askedAt: at };
}

function closed(question: HotfixQuestion, what: string): RollbackError {
  return new RollbackError(
    'conflict',
    `The hotfix question is already ${question.status.replace('_', ' ')}; ${what} changes nothing.`,
    {
      fix: 'Use /rollback to roll back at any time.',
      details: { status: question.status, round: question.round },
    },
  );
}

/** "Hotfix" pressed: starts the five-minute timer. */
export function claimHotfix(question: HotfixQuestion, by: SlackUserId, at: Date): HotfixQuestion {
  if (question.status !== 'asked') throw closed(question, 'a hotfix claim');
  return { status: 'hotfix_claimed', round: question.round, claimedBy: by, claimedAt: at };
}

/** The hotfix is out and production is healthy: the tree ends in "monitor". */
export function confirmHotfixed(question: HotfixQuestion, by: SlackUserId, at: Date): HotfixQuestion {
  if (question.status !== 'hotfix_claimed') throw closed(question, 'confirming a hotfix');
  return { status: 'hotfixed', round: question.round, by, at };
}

export function hotfixDeadline(claim: { readonly claimedAt: Date }): Date {
  return new Date(claim.claimedAt.getTime() + HOTFIX_WINDOW_MS);
}

type HotfixTimer =
  | { readonly due: false; readonly askAt: Date; readonly remainingMs: number }
  | { readonly due: true; readonly overdueMs: number; readonly next: HotfixQuestion; readonly proposeRollback: true };

/**
 * Whether the claim's five minutes are up at `now`. When they are, `next`
 * is the question asked again (next round) and the bot proposes the rollback.
 * Only a claimed hotfix has a timer; anything else is a caller's mistake.
 */
export function checkHotfixTimer(question: HotfixQuestion, now: Date): HotfixTimer {
  if (question.status !== 'hotfix_claimed') {
    throw new RollbackError('illegal_transition', `No hotfix timer runs while the question is ${question.status}.`, {
      details: { status: question.status },
    });
  }
  const askAt = hotfixDeadline(question);
  const remainingMs = askAt.getTime() - now.getTime();
  if (remainingMs > 0) return { due: false, askAt, remainingMs };
  return {
    due: true,
    overdueMs: now.getTime() - askAt.getTime(),
    next: { status: 'asked', round: question.round + 1, askedAt: now },
    proposeRollback: true,
  };
}

interface RollbackGate {
  /** Always true: the runbook says roll back immediately, and a question never holds that up. */
  readonly proceed: true;
  readonly question: HotfixQuestion;
  /** A hotfix claim the rollback overrides, with the time it had left; for the timeline. */
  readonly overriddenClaim?: {
    readonly claimedBy: SlackUserId;
    readonly claimedAt: Date;
    readonly remainingMs: number;
  };
  readonly note: string;
}

/**
 * A rollback command or "Roll back now" button, whatever the question's state.
 * Pass `undefined` when the incident was never asked (e.g. opened by /rollback).
 */
export function chooseRollback(question: HotfixQuestion | undefined, by: SlackUserId, at: Date): RollbackGate {
  if (question?.status === 'rollback_chosen') {
    return { proceed: true, question, note: 'The rollback was already chosen; it goes ahead.' };
  }
  const chosen: HotfixQuestion = { status: 'rollback_chosen', round: question?.round ?? 0, by, at };
  if (question?.status === 'hotfix_claimed') {
    const remainingMs = Math.max(0, hotfixDeadline(question).getTime() - at.getTime());
    return {
      proceed: true,
      question: chosen,
      overriddenClaim: { claimedBy: question.claimedBy, claimedAt: question.claimedAt, remainingMs },
      note:
        `Rollback chosen by <@${by}> while <@${question.claimedBy}>'s hotfix claim was ` +
        `open; the rollback goes ahead now.`,
    };
  }
  if (question?.status === 'hotfixed') {
    return {
      proceed: true,
      question: chosen,
      note: `Rollback chosen by <@${by}> after a hotfix was reported; the rollback goes ahead now.`,
    };
  }
  return { proceed: true, question: chosen, note: `Rollback chosen by <@${by}>; it goes ahead now.` };
}

import { RollbackError } from '../../../src/rollback/errors';
import type { SlackUserId } from '../../../src/rollback/ids';
import { ManualClock } from '../../../src/rollback/clock';
import {
  HOTFIX_WINDOW_MS,
  askHotfixQuestion,
  checkHotfixTimer,
  chooseRollback,
  claimHotfix,
  confirmHotfixed,
  hotfixDeadline,
} from '../../../src/rollback/incident/decision-tree';
import type { HotfixQuestion } from '../../../src/rollback/incident/decision-tree';

const DEV = 'U0DEV' as SlackUserId;
const LEAD = 'U0LEAD' as SlackUserId;
const T0 = new Date('2026-01-17T10:00:00Z');
const later = (ms: number): Date => new Date(T0.getTime() + ms);

describe('the hotfix timer', () => {
  it('is five minutes from the claim', () => {
    expect(HOTFIX_WINDOW_MS).toBe(300_000);
    expect(hotfixDeadline({ claimedAt: T0 }).toISOString()).toBe('2026-01-17T10:05:00.000Z');
  });

  it.each([
    [0, false],
    [60_000, false],
    [HOTFIX_WINDOW_MS - 1, false],
    [HOTFIX_WINDOW_MS, true],
    [HOTFIX_WINDOW_MS + 90_000, true],
  ])('%i ms after the claim: due %s', (elapsed, due) => {
    const claimed = claimHotfix(askHotfixQuestion(later(-10_000)), DEV, T0);
    const timer = checkHotfixTimer(claimed, later(elapsed));
    expect(timer.due).toBe(due);
    if (timer.due) {
      expect(timer.overdueMs).toBe(elapsed - HOTFIX_WINDOW_MS);
      expect(timer.proposeRollback).toBe(true);
      expect(timer.next).toEqual({ status: 'asked', round: 2, askedAt: later(elapsed) });
    } else {
      expect(timer.remainingMs).toBe(HOTFIX_WINDOW_MS - elapsed);
      expect(timer.askAt).toEqual(later(HOTFIX_WINDOW_MS));
    }
  });

  it('follows a moving clock: ask, claim, wait, ask again, claim again', () => {
    const clock = new ManualClock(T0);
    let question: HotfixQuestion = askHotfixQuestion(clock.now());
    question = claimHotfix(question, DEV, clock.now());
    clock.advance(4 * 60_000);
    expect(checkHotfixTimer(question, clock.now()).due).toBe(false);
    clock.advance(60_000);
    const timer = checkHotfixTimer(question, clock.now());
    if (!timer.due) throw new Error('expected the timer to be due');
    question = claimHotfix(timer.next, DEV, clock.now());
    expect(question).toMatchObject({ status: 'hotfix_claimed', round: 2 });
    expect(hotfixDeadline(question as { claimedAt: Date })).toEqual(later(10 * 60_000));
  });

  it('has no timer unless a hotfix is claimed', () => {
    expect(() => checkHotfixTimer(askHotfixQuestion(T0), T0)).toThrow(RollbackError);
  });
});

describe('the hotfix question', () => {
  const asked = askHotfixQuestion(T0);
  const claimed = claimHotfix(asked, DEV, later(1000));

  it('starts in round one and records who claimed the hotfix', () => {
    expect(asked).toEqual({ status: 'asked', round: 1, askedAt: T0 });
    expect(claimed).toEqual({ status: 'hotfix_claimed', round: 1, claimedBy: DEV, claimedAt: later(1000) });
    expect(confirmHotfixed(claimed, DEV, later(2000))).toEqual({
      status: 'hotfixed',
      round: 1,
      by: DEV,
      at: later(2000),
    });
  });

  it('refuses a second claim or a confirmation without a claim, changing nothing', () => {
    expect(() => claimHotfix(claimed, LEAD, later(2000))).toThrow(
      /already hotfix claimed; a hotfix claim changes nothing/,
    );
    expect(() => confirmHotfixed(asked, DEV, later(2000))).toThrow(RollbackError);
    const chosen = chooseRollback(asked, LEAD, later(2000)).question;
    expect(() => claimHotfix(chosen, DEV, later(3000))).toThrow(/rollback chosen/);
  });
});

describe('a rollback never waits for the question', () => {
  const asked = askHotfixQuestion(T0);
  const claimed = claimHotfix(asked, DEV, T0);
  const cases: [string, HotfixQuestion | undefined][] = [
    ['never asked (opened by /rollback)', undefined],
    ['asked, unanswered', asked],
    ['hotfix claimed, timer running', claimed],
    ['hotfix reported done', confirmHotfixed(claimed, DEV, later(1000))],
    ['rollback already chosen', chooseRollback(asked, LEAD, T0).question],
  ];

  it.each(cases)('%s: proceeds at once', (_name, question) => {
    const gate = chooseRollback(question, LEAD, later(60_000));
    expect(gate.proceed).toBe(true);
    expect(gate.question.status).toBe('rollback_chosen');
    expect(gate.note).toMatch(/goes ahead/);
  });

  it('overrides an open hotfix claim and records the time it had left', () => {
    const gate = chooseRollback(claimed, LEAD, later(60_000));
    expect(gate.overriddenClaim).toEqual({ claimedBy: DEV, claimedAt: T0, remainingMs: 4 * 60_000 });
    expect(gate.note).toBe(
      "Rollback chosen by <@U0LEAD> while <@U0DEV>'s hotfix claim was open; the rollback goes ahead now.",
    );
    expect(chooseRollback(claimed, LEAD, later(10 * 60_000)).overriddenClaim?.remainingMs).toBe(0);
    expect(chooseRollback(asked, LEAD, T0).overriddenClaim).toBeUndefined();
  });

  it('keeps the first choice when chosen twice (double click)', () => {
    const first = chooseRollback(asked, LEAD, T0).question;
    expect(chooseRollback(first, DEV, later(5000)).question).toBe(first);
  });
});

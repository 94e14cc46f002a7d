/** Statements that touch no existing table, and those the linter has no rule for. */
import type { Rule } from '../rule';

export const otherSafe: Rule = {
  id: 'no-table-change',
  severity: 'safe',
  why: 'The statement does not change or lock an existing table.',
  fix: 'Nothing to do.',
};

export const unreviewed: Rule = {
  id: 'unreviewed-statement',
  severity: 'warning',
  why: 'The linter has no rule for this kind of statement; it may lock or change live data.',
  fix: 'Review it by hand against the runbook\'s backward-compatible migrations appendix.',
};

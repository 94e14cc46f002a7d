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
  fix: "Review it by hand against the runbook's backward-compatible migrations appendix.",
};

export const doBlockUnanalysed: Rule = {
  id: 'do-block-unanalysed',
  severity: 'warning',
  why:
    "The DO block's body was not analysed (dynamic SQL, another language, or a body " +
    'that does not parse): it may lock or change live data.',
  fix: 'Review the block by hand, or write its statements as plain SQL so the linter can classify them.',
};

export const identifierTooLong: Rule = {
  id: 'identifier-too-long',
  severity: 'warning',
  why:
    'PostgreSQL silently truncates identifiers to 63 bytes: the object gets another ' +
    'name than the one written, and later statements or Prisma may not find it.',
  fix: 'Use a name of at most 63 bytes (Prisma: map it with @@map / map: "...").',
};

export const recreatedLater: Rule = {
  id: 'replaced-in-file',
  severity: 'safe',
  why: 'The file creates it again under the same name, so running code keeps finding it.',
  fix: 'Nothing to do.',
};

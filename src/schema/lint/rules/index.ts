/** Every rule, for documentation and for tests that prove each one fires. */
import type { Rule } from '../rule';
import { columnRules } from './columns';
import { constraintRules } from './constraints';
import { dataRules } from './data';
import { enumRules } from './enums';
import { indexRules } from './indexes';
import { doBlockUnanalysed, identifierTooLong, otherSafe, recreatedLater, unreviewed } from './other';
import { tableRules } from './tables';

export const ALL_RULES: readonly Rule[] = [
  ...Object.values(tableRules),
  ...Object.values(columnRules),
  ...Object.values(constraintRules),
  ...Object.values(indexRules),
  ...Object.values(enumRules),
  ...Object.values(dataRules),
  otherSafe,
  unreviewed,
  doBlockUnanalysed,
  identifierTooLong,
  recreatedLater,
];

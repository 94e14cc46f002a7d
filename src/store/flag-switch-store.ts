/** The store's claims on feature-flag switches (flag_switches). Spread into the incident store. */
import type { FlagSwitchClaims } from '../rollback/ports/flags';
import type { Db } from './pool';
import * as q from './queries/flag-switches';

export function flagSwitchMethods(db: Db): FlagSwitchClaims {
  return {
    async claimFlagSwitch(claim) {
      for (;;) {
        const [taken] = await db.query<{ token: string }>(q.claimFlagSwitch(claim));
        if (taken) return { token: taken.token };
        const [row] = await db.query<q.FlagSwitchRow>(q.selectFlagSwitch(claim.service, claim.flag));
        // The refusing row is gone only if it was deleted by hand between the two statements: claim again.
        if (row) return { current: q.toFlagSwitch(row) };
      }
    },
    async endFlagSwitch(end) {
      await db.query(q.endFlagSwitch(end));
    },
  };
}

import type { RollbackError } from '../../src/rollback/errors';

/** The code of the RollbackError a call rejects with; undefined when it resolves. */
export const codeOf = (promise: Promise<unknown>): Promise<string | undefined> =>
  promise.then(
    () => undefined,
    (error: RollbackError) => error.code,
  );

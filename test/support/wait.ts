/**
 * The tests' one poll loop, for states only visible in the database, another
 * process or a stand-in's record of calls.
 */

/** Polls until probe gives a value (true counts), or fails after the deadline naming what it waited for. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Polls `read` until `accept` holds, or fails after the deadline with the last value seen. */
export async function eventually<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  let last: { value: T } | undefined;
  try {
    const seen = await waitFor(
      what,
      async () => {
        last = { value: await read() };
        return accept(last.value) && last;
      },
      timeoutMs,
      25,
    );
    return seen.value;
  } catch {
    throw new Error(`${what} not met within ${timeoutMs} ms; last value: ${JSON.stringify(last?.value)}`);
  }
}

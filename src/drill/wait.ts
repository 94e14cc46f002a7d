/** Polling with a deadline, for states the drill can only see by looking (the stand-ins, the databases). */
const POLL_MS = 100;

/** Resolves with the first truthy answer of probe, or undefined once timeoutMs have passed. */
export async function waitUntil<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  pollMs = POLL_MS,
): Promise<T | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() >= until) return undefined;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

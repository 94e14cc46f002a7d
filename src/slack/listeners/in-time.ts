/**
 * Slack waits 3 seconds for an acknowledgement. A listener whose work may
 * take longer races it against a shorter wait: the answer when it comes in
 * time, undefined when the listener must acknowledge now and answer later.
 */
export async function inTime<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

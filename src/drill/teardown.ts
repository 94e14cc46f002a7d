/** The drill world's teardown: what start made so far, undone newest first. */

/** Undoes what start made so far, newest first; errors are collected, not thrown, so every part gets its chance. */
export class Teardown {
  private readonly steps: Array<() => Promise<void> | void> = [];
  add(step: () => Promise<void> | void): void {
    this.steps.unshift(step);
  }
  async run(): Promise<void> {
    for (const step of this.steps.splice(0))
      await Promise.resolve()
        .then(step)
        .catch(() => undefined);
  }
}

/** Posts a release's thread from its record: root, progress (updated in place), the open question; stable keys. */
import { findService } from '../rollback/services';
import { progressOf, type Release } from '../rollback/release/release';
import { releaseProgress, releaseQuestion, releaseRoot } from '../slack/blocks/release-thread';
import { section } from '../slack/blocks/elements';
import type { RolloutDeps } from './deps';

const releaseKeys = (id: string) => ({
  root: `release:${id}:root`,
  progress: `release:${id}:progress`,
  question: `release:${id}:question`,
});

export async function announceRelease(deps: Pick<RolloutDeps, 'engine' | 'notifier'>, release: Release): Promise<void> {
  const channel = findService(deps.engine.services, release.service).slack.alertsChannel;
  const keys = releaseKeys(release.id);
  await deps.notifier.send({ key: keys.root, channel, ...releaseRoot(release) });
  const progress = releaseProgress(release, progressOf(release, deps.engine.clock.now()));
  await deps.notifier.send({ key: keys.progress, channel, threadKey: keys.root, ...progress });
  const question = releaseQuestion(release);
  if (question) {
    await deps.notifier.send({ key: keys.question, channel, threadKey: keys.root, ...question });
  } else if (await deps.notifier.sentTs(keys.question)) {
    // A question answered (or overtaken by an abort) no longer offers its buttons.
    const text = 'No question open: see the progress above.';
    await deps.notifier.send({ key: keys.question, channel, threadKey: keys.root, text, blocks: [section(text)] });
  }
}

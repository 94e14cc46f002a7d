/** The Slack outbox: a durable, paced Notifier (see slack-notifier.ts and outbox-worker.ts). */
export { createSlackNotifier } from './slack-notifier';
export { startOutboxWorker, type OutboxWorker, type OutboxWorkerOptions } from './outbox-worker';
export type { OutboxSlackClient } from './deliver';

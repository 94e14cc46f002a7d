/**
 * The ids the bot's listeners really register, recorded on a fake Bolt app:
 * the manifest contract and the authority gate both enumerate them.
 */
import type { App } from '@slack/bolt';
import { silentLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import { registerListeners } from '../../src/slack/listeners';
import type { Db } from '../../src/store/pool';
import { exampleService } from './services';

type RegistrationKind = 'command' | 'event' | 'action' | 'view' | 'shortcut' | 'options' | 'message';

export function recordRegistrations(): Record<RegistrationKind, string[]> {
  const seen: Record<RegistrationKind, string[]> = {
    command: [],
    event: [],
    action: [],
    view: [],
    shortcut: [],
    options: [],
    message: [],
  };
  const recorder = (kind: RegistrationKind) => (id: unknown) => {
    seen[kind].push(String(id));
  };
  const fakeApp = {
    command: recorder('command'),
    event: recorder('event'),
    action: recorder('action'),
    view: recorder('view'),
    shortcut: recorder('shortcut'),
    options: recorder('options'),
    message: recorder('message'),
    use: () => undefined,
    error: () => undefined,
  } as unknown as App;
  const unused = () => Promise.reject(new Error('not used: only registration is recorded'));
  registerListeners(fakeApp, {
    services: [exampleService()],
    handlers: {},
    logger: silentLogger,
    metrics: createMetrics(),
    engine: () => {
      throw new Error('not used: only registration is recorded');
    },
    db: {} as Db,
    detection: { intake: {} as never, monitor: unused, openIncident: unused },
    rollout: () => {
      throw new Error('not used: only registration is recorded');
    },
  });
  return seen;
}

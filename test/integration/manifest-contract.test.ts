/**
 * The manifests and the code must ask Slack for the same things: the slash
 * commands, events and interactivity the listeners really register, and the
 * scopes the code declares. Registration is recorded on a fake app.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { APP_HOME, BOT_SCOPES, MESSAGE_BOT_EVENTS, SLASH_COMMANDS } from '../../src/slack/surface';
import { MESSAGE_ACTION_IDS, ROLLBACK_MODAL_CALLBACK_ID } from '../../src/slack/action-ids';
import { recordRegistrations } from '../support/registrations';

interface Manifest {
  features: { slash_commands: { command: string; url?: string }[]; app_home?: Record<string, boolean> };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions?: { bot_events?: string[]; request_url?: string };
    interactivity: { is_enabled: boolean; request_url?: string };
    socket_mode_enabled: boolean;
  };
}

const manifests = ['slack-app.http.yaml', 'slack-app.socket.yaml'].map((file) => ({
  file,
  manifest: parse(readFileSync(join(__dirname, '../../manifests', file), 'utf8')) as Manifest,
}));

describe.each(manifests)('$file', ({ file, manifest }) => {
  const registered = recordRegistrations();
  const socket = file.includes('socket');

  it('lists exactly the slash commands the code registers', () => {
    const listed = manifest.features.slash_commands.map((c) => c.command).sort();
    expect(listed).toEqual([...registered.command].sort());
    expect(listed).toEqual([...SLASH_COMMANDS].sort());
  });

  it('subscribes to exactly the bot events the code listens to', () => {
    // A `message` listener hears the channel types the manifest subscribes to: public and private channels.
    const messages =
      registered.message.length > 0 || registered.event.includes('message') ? [...MESSAGE_BOT_EVENTS] : [];
    const events = new Set([...registered.event.filter((e) => e !== 'message'), ...messages]);
    expect((manifest.settings.event_subscriptions?.bot_events ?? []).sort()).toEqual([...events].sort());
  });

  it('enables interactivity exactly when the code handles actions, views or shortcuts', () => {
    const interactive = registered.action.length + registered.view.length + registered.shortcut.length > 0;
    expect(manifest.settings.interactivity.is_enabled).toBe(interactive);
  });

  it('handles every button, checkbox and menu the block builders can put in a message', () => {
    expect([...registered.action].sort()).toEqual([...MESSAGE_ACTION_IDS].sort());
    expect(registered.view).toEqual([ROLLBACK_MODAL_CALLBACK_ID]);
  });

  it('shows the Home tab the app_home_opened listener publishes, and no Messages tab', () => {
    expect(manifest.features.app_home).toEqual(APP_HOME);
    expect(registered.event).toContain('app_home_opened');
  });

  it('asks for exactly the declared bot scopes', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(Object.keys(BOT_SCOPES).sort());
  });

  it(socket ? 'uses Socket Mode and no request URLs' : 'sends every request to /slack/events', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(socket);
    const urls = [
      ...manifest.features.slash_commands.map((c) => c.url),
      manifest.settings.interactivity.request_url,
      manifest.settings.event_subscriptions?.request_url,
    ].filter((u): u is string => u !== undefined);
    if (socket) expect(urls).toEqual([]);
    else for (const url of urls) expect(url).toMatch(/^https:\/\/YOUR-HOST\/slack\/events$/);
  });
});

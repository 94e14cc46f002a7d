/**
 * What the bot asks of Slack, declared once: the manifests in manifests/ must
 * list exactly these (test/integration/manifest-contract.test.ts checks it
 * against the listeners the app really registers).
 */
export const ROLLBACK_COMMAND = '/rollback';

export const ROLLOUT_COMMAND = '/rollout';

export const SLASH_COMMANDS = [ROLLBACK_COMMAND, ROLLOUT_COMMAND] as const;

/** Bot scopes, each with the Web API use that needs it. */
export const BOT_SCOPES: Record<string, string> = {
  commands: 'the /rollback and /rollout slash commands',
  'chat:write': 'ROLLBACK IN PROGRESS / COMPLETE posts, their thread updates and ephemeral answers',
  'usergroups:read': 'expanding the user groups named as roles (usergroups.users.list)',
  'im:write': 'the direct message to the CTO after an after-hours rollback (conversations.open)',
  'channels:history':
    'reading alert messages in public alerts channels (message.channels events); ' +
    'finding a post whose answer was lost (conversations.history/replies)',
  'groups:history':
    'reading alert messages in private alerts channels (message.groups events); ' +
    'finding a post whose answer was lost (conversations.history/replies)',
  'im:history': 'finding a direct message whose answer was lost before sending it again (conversations.history)',
  'channels:read': 'checking that the bot is in each public alerts channel (conversations.info is_member)',
  'groups:read': 'checking that the bot is in each private alerts channel (conversations.info is_member)',
};

/** The manifest's bot events behind the alerts-channel `message` listener: public and private channels. */
export const MESSAGE_BOT_EVENTS = ['message.channels', 'message.groups'] as const;

/** The Home tab (App Home: incidents, versions, metrics, open follow-ups); the Messages tab stays off. */
export const APP_HOME = { home_tab_enabled: true, messages_tab_enabled: false } as const;

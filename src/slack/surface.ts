/**
 * What the bot asks of Slack, declared once: the manifests in manifests/ must
 * list exactly these (test/integration/manifest-contract.test.ts checks it
 * against the listeners the app really registers).
 */
export const ROLLBACK_COMMAND = '/rollback';

export const SLASH_COMMANDS = [ROLLBACK_COMMAND] as const;

/** Bot scopes, each with the Web API use that needs it. */
export const BOT_SCOPES: Record<string, string> = {
  commands: 'the /rollback slash command',
  'chat:write': 'ROLLBACK IN PROGRESS / COMPLETE posts and their thread updates',
};

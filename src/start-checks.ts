/**
 * What `start` checks before it starts anything: the setup steps a newcomer
 * has not done yet (each named, as next steps), and the variables a service
 * needs that are unset. A missing credential of one service does not stop
 * the bot: it is named at start and only the rollbacks that need it refuse.
 */
export { missingCredentials } from './config/credentials';

/** Everything a newcomer must do before the bot can start, as next steps rather than a stack trace. */
export function missingSetup(env: NodeJS.ProcessEnv): string[] {
  const set = (name: string): boolean => Boolean(env[name]?.trim());
  if (!set('SLACK_BOT_TOKEN')) {
    return [
      'Slack tokens are not set. Create the Slack app from ' +
        'manifests/slack-app.http.yaml (or slack-app.socket.yaml), install it, then set ' +
        'SLACK_BOT_TOKEN (xoxb-…) and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN xapp-… for ' +
        'Socket Mode). See "Setting up Slack" in README.md.',
    ];
  }
  if (!set('SLACK_SIGNING_SECRET') && !set('SLACK_APP_TOKEN')) {
    return [
      'SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not: without it the bot ' +
        'cannot check that requests come from Slack. ' +
        'Copy the Signing Secret from the Slack app\'s "Basic Information" page into ' +
        'SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN xapp-… for Socket Mode).',
    ];
  }
  return [];
}

// The comparison for the Slack benchmarks: a bare Bolt app on the same
// receiver settings as the bot, whose listeners do nothing but ack (/rollback)
// or count (messages, readable at GET /count).
const { App, HTTPReceiver } = require('@slack/bolt');

let messages = 0;
const receiver = new HTTPReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  endpoints: '/slack/events',
  customRoutes: [{ path: '/count', method: ['GET'], handler: (_req, res) => res.end(String(messages)) }],
});
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  receiver,
  tokenVerificationEnabled: false,
  // Given, as the bot gives its own from auth.test at start, so Bolt never asks Slack per event.
  botId: 'B0BAREAPP',
  botUserId: 'U0BAREAPP',
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
});
app.command('/rollback', async ({ ack }) => {
  await ack({ response_type: 'ephemeral', text: 'ok' });
});
app.message(async () => {
  messages += 1;
});
app.start(Number(process.env.PORT)).then(() => process.stdout.write('bare bolt ready\n'));

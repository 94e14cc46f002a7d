// The comparison for the acknowledgement benchmark: a bare Bolt app whose
// /rollback listener only acks, on the same receiver settings as the bot.
const { App, HTTPReceiver } = require('@slack/bolt');

const receiver = new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET, endpoints: '/slack/events' });
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  receiver,
  tokenVerificationEnabled: false,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
});
app.command('/rollback', async ({ ack }) => {
  await ack({ response_type: 'ephemeral', text: 'ok' });
});
app.start(Number(process.env.PORT)).then(() => process.stdout.write('bare bolt ready\n'));

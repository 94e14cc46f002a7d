/**
 * The alerts channel: each alert source's real-format Slack message, sent to
 * the bot's HTTP endpoint as a signed Events API callback, becomes an alert
 * state in PostgreSQL; chatter, our own posts, edits and thread replies do
 * not; an alert naming no known service is counted and ignored.
 */
import {
  alertmanagerSlack,
  datadogSlack,
  grafanaSlack,
  personSays,
  sentryIssueSlack,
  sentryMetricSlack,
} from '../unit/signals/slack-builders';
import type { SlackMessageLike } from '../../src/rollback/signals';
import { CHANNEL, alertRows, useDetectionWorld } from '../support/detection-world';
import { eventually } from '../support/wait';

const SERVICE = 'dr-amal-clinical-os';

describe('alerts channel messages through the Slack endpoint', () => {
  const ctx = useDetectionWorld('det_channel');
  const now = (): Date => ctx.world.clock.now();
  const send = async (message: SlackMessageLike & Record<string, unknown>, channel = CHANNEL): Promise<void> => {
    const answer = await ctx.world.bot.sender.event({ type: 'message', channel, ...message });
    expect(answer.status).toBe(200);
  };
  const stored = (fingerprintPrefix: string) =>
    eventually(
      () => alertRows(ctx.world.db, SERVICE),
      (rows) => rows.some((r) => r.fingerprint.startsWith(fingerprintPrefix)),
      10_000,
      `an alert from ${fingerprintPrefix}`,
    ).then((rows) => rows.filter((r) => r.fingerprint.startsWith(fingerprintPrefix)));

  it('stores an Alertmanager notification (default slack_config template), and its resolve', async () => {
    const alert = {
      labels: { alertname: 'HighHttp5xxRate', service: SERVICE, severity: 'critical' },
      annotations: { summary: '5xx above 25%' },
    };
    await send(alertmanagerSlack([alert], now()) as never);
    const [row] = await stored('alertmanager:');
    expect(row).toMatchObject({ source: 'alertmanager', kind: 'five_xx_rate', firing: true, repeats: 1 });
    await send(alertmanagerSlack([{ ...alert, status: 'resolved' }], now()) as never);
    await eventually(
      () => stored('alertmanager:'),
      (rows) => rows[0]?.firing === false,
      10_000,
      'the resolve',
    );
  });

  it('stores each alert of a Grafana notification with its value', async () => {
    await send(
      grafanaSlack(
        [
          {
            labels: { alertname: 'CheckoutErrors', service: SERVICE, feature: 'checkout' },
            annotations: { summary: 'checkout error rate' },
            values: { B: 0.14, C: 1 },
          },
        ],
        now(),
      ) as never,
    );
    const [row] = await stored('grafana:');
    expect(row).toMatchObject({ source: 'grafana', kind: 'error_rate', value: 0.14, firing: true });
  });

  it('stores a Datadog monitor notification', async () => {
    await send(
      datadogSlack(
        'Triggered',
        '[P1] Database writes failing on dr-amal-clinical-os',
        'Insert errors on service:dr-amal-clinical-os env:production',
        now(),
      ) as never,
    );
    const [row] = await stored('datadog:');
    expect(row).toMatchObject({ source: 'datadog', kind: 'db_writes_failing', firing: true });
  });

  it('stores Sentry metric and issue alerts', async () => {
    await send(
      sentryMetricSlack(
        'Critical',
        'Sign-in failure rate dr-amal-clinical-os',
        '97% failure rate in the last 10 minutes\nProject: dr-amal-clinical-os',
        now(),
      ) as never,
    );
    await send(
      sentryIssueSlack(
        'TypeError: cannot read properties of undefined',
        'app/notes/ai.ts in summarise',
        'DR-AMAL-CLINICAL-OS-1A',
        'New issues',
      ) as never,
    );
    const rows = await eventually(
      () => stored('sentry:'),
      (r) => r.length === 2,
      10_000,
      'two Sentry alerts',
    );
    expect(rows.map((r) => r.kind).sort()).toEqual(['auth_broken', 'other']);
  });

  it('stores a person’s report that names the service and a symptom', async () => {
    await send(
      personSays(
        'dr-amal-clinical-os: rate limiting is broken, the login endpoint takes unlimited requests',
        now(),
      ) as never,
    );
    const [row] = await stored('plain_text:');
    expect(row).toMatchObject({ source: 'plain_text', kind: 'rate_limit_broken', firing: true });
  });

  it('ignores chatter, our own posts, edits, thread replies and other channels', async () => {
    const before = await alertRows(ctx.world.db);
    await send({ text: 'lunch anyone?', user: 'U0NOBODY1', ts: '1768900000.000100' });
    await send({
      ...personSays('dr-amal-clinical-os: database writes failing', now()),
      bot_id: 'B0STANDIN',
      subtype: 'bot_message',
    } as never);
    await send({
      subtype: 'message_changed',
      message: { text: 'dr-amal-clinical-os: sign-in is down' },
      ts: '1768900000.000200',
    } as never);
    await send({
      ...personSays('dr-amal-clinical-os: sign-in is down for everyone', now()),
      thread_ts: '1768900000.000001',
    } as never);
    await send(personSays('dr-amal-clinical-os: sign-in is down for everyone', now()) as never, 'C0GENERAL1');
    // A marker the bot does take in, sent last: once it is stored, everything before it was handled.
    await send(
      datadogSlack(
        'Triggered',
        'Marker monitor dr-amal-clinical-os security scan',
        'service:dr-amal-clinical-os',
        now(),
      ) as never,
    );
    await eventually(
      () => alertRows(ctx.world.db),
      (rows) => rows.length === before.length + 1,
      10_000,
      'the marker',
    );
    const after = await alertRows(ctx.world.db);
    expect(after.filter((r) => !before.some((b) => b.fingerprint === r.fingerprint)).map((r) => r.source)).toEqual([
      'datadog',
    ]);
  });

  it('counts an alert that names no known service in a metric, and stores nothing for it', async () => {
    const metric = async (): Promise<number> => {
      const text = await (await fetch(`${ctx.world.bot.baseUrl}/metrics`)).text();
      return Number(/rollback_bot_alerts_unmatched_total\{source="alertmanager"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const before = await metric();
    await send(
      alertmanagerSlack([{ labels: { alertname: 'HighHttp5xxRate', service: 'billing-api' } }], now()) as never,
    );
    await eventually(metric, (n) => n === before + 1, 10_000, 'the unmatched count');
    const rows = await alertRows(ctx.world.db);
    expect(rows.some((r) => r.service === 'billing-api')).toBe(false);
  });
});

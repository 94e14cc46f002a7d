/**
 * POST /webhooks/alertmanager and /webhooks/grafana on the running bot: the
 * tools' documented JSON (Alertmanager webhook v4, Grafana unified alerting),
 * the shared secret (Bearer or Basic), and every refusal: 401, 400 with the
 * reason and nothing stored, 413, and 503 when no secret is configured.
 */
import { alertmanagerWebhook, grafanaWebhook } from '../unit/signals/builders';
import { startTestBot } from '../support/bot';
import { testDatabase } from '../support/database';
import { exampleServiceRaw } from '../support/services';
import { WEBHOOK_SECRET, alertRows, useDetectionWorld } from '../support/detection-world';

const SERVICE = 'dr-amal-clinical-os';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function post(
  baseUrl: string,
  path: string,
  body: unknown,
  authorization: string | null = `Bearer ${WEBHOOK_SECRET}`,
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== null) headers.authorization = authorization;
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('alert webhooks', () => {
  const ctx = useDetectionWorld('det_webhooks');
  const url = () => ctx.world.bot.baseUrl;
  const startsAt = () => new Date(ctx.world.clock.now().getTime() - 120_000).toISOString();

  it('takes an Alertmanager webhook: 202 with the counts, stored before the answer', async () => {
    const body = alertmanagerWebhook([
      {
        labels: { alertname: 'AuthDown', service: SERVICE, severity: 'critical' },
        annotations: { summary: 'Users cannot sign in' },
        startsAt: startsAt(),
        fingerprint: 'am-auth-1',
      },
      { labels: { alertname: 'HighHttp5xxRate', service: 'billing-api' }, fingerprint: 'am-billing-1' },
    ]);
    const answer = await post(url(), '/webhooks/alertmanager', body);
    expect(answer).toEqual({ status: 202, body: { signals: 1, unmatched: 1 } });
    const rows = await alertRows(ctx.world.db, SERVICE);
    expect(rows.find((r) => r.fingerprint === 'alertmanager:am-auth-1')).toMatchObject({
      kind: 'auth_broken',
      firing: true,
      repeats: 1,
    });
  });

  it('takes a Grafana webhook with Basic auth (the secret as the password), values included', async () => {
    const body = grafanaWebhook([
      {
        labels: { alertname: 'NotesErrorRate', service: SERVICE, feature: 'ai-notes' },
        values: { B: 0.18, C: 1 },
        fingerprint: 'gf-notes-1',
        startsAt: startsAt(),
      },
    ]);
    const basic = `Basic ${Buffer.from(`grafana:${WEBHOOK_SECRET}`).toString('base64')}`;
    expect(await post(url(), '/webhooks/grafana', body, basic)).toEqual({
      status: 202,
      body: { signals: 1, unmatched: 0 },
    });
    const row = (await alertRows(ctx.world.db, SERVICE)).find((r) => r.fingerprint === 'grafana:gf-notes-1');
    expect(row).toMatchObject({ kind: 'error_rate', value: 0.18, firing: true });
  });

  it('marks an alert resolved when its resolve arrives', async () => {
    const body = alertmanagerWebhook([
      {
        status: 'resolved',
        labels: { alertname: 'AuthDown', service: SERVICE, severity: 'critical' },
        fingerprint: 'am-auth-1',
        endsAt: ctx.world.clock.now().toISOString(),
      },
    ]);
    expect((await post(url(), '/webhooks/alertmanager', body)).status).toBe(202);
    expect(
      (await alertRows(ctx.world.db, SERVICE)).find((r) => r.fingerprint === 'alertmanager:am-auth-1'),
    ).toMatchObject({ firing: false, repeats: 1 });
  });

  it('refuses a missing or wrong secret with 401', async () => {
    const body = alertmanagerWebhook([{ labels: { alertname: 'AuthDown', service: SERVICE }, fingerprint: 'am-401' }]);
    for (const auth of [
      null,
      'Bearer nope',
      `Bearer ${WEBHOOK_SECRET}x`,
      `Basic ${Buffer.from('u:wrong').toString('base64')}`,
    ]) {
      const answer = await post(url(), '/webhooks/alertmanager', body, auth);
      expect(answer.status).toBe(401);
      expect(String(answer.body.error)).toMatch(/secret/);
    }
    expect((await alertRows(ctx.world.db)).some((r) => r.fingerprint === 'alertmanager:am-401')).toBe(false);
  });

  it(
    'refuses malformed JSON and bodies not in the tool’s format with 400 and the ' + 'reason, storing nothing',
    async () => {
      const before = (await alertRows(ctx.world.db)).length;
      const notJson = await post(url(), '/webhooks/alertmanager', '{"version": "4", ');
      expect(notJson.status).toBe(400);
      expect(String(notJson.body.error)).toMatch(/not JSON/);

      const valid = alertmanagerWebhook([
        { labels: { alertname: 'AuthDown', service: SERVICE }, fingerprint: 'am-400' },
      ]) as { alerts: Record<string, unknown>[] };
      const badTime = { ...valid, alerts: [{ ...valid.alerts[0], startsAt: 'yesterday' }] };
      const answer = await post(url(), '/webhooks/alertmanager', badTime);
      expect(answer.status).toBe(400);
      expect(String(answer.body.error)).toContain('malformed at alerts.0.startsAt');

      const grafanaToAlertmanager = await post(
        url(),
        '/webhooks/alertmanager',
        grafanaWebhook([{ labels: { alertname: 'X', service: SERVICE } }]),
      );
      expect(grafanaToAlertmanager.status).toBe(400);
      expect(String(grafanaToAlertmanager.body.error)).toMatch(/version/);

      const empty = await post(url(), '/webhooks/grafana', {
        ...grafanaWebhook([{ labels: { alertname: 'X' } }]),
        alerts: [],
      });
      expect(empty.status).toBe(400);
      expect(String(empty.body.error)).toMatch(/at least one alert/);
      expect((await alertRows(ctx.world.db)).length).toBe(before);
    },
  );

  it('refuses a body over 1 MB with 413', async () => {
    const alerts = Array.from({ length: 3000 }, (_, i) => ({
      labels: { alertname: 'Big', service: SERVICE, padding: 'x'.repeat(400) },
      fingerprint: `big-${i}`,
    }));
    const answer = await post(url(), '/webhooks/alertmanager', alertmanagerWebhook(alerts));
    expect(answer.status).toBe(413);
    expect((await alertRows(ctx.world.db)).some((r) => r.fingerprint.startsWith('alertmanager:big-'))).toBe(false);
  });
});

describe('alert webhooks without WEBHOOK_SECRET', () => {
  const database = testDatabase('det_nosecret');
  beforeAll(database.create);
  afterAll(database.drop);

  it('answers 503 and says to set the secret', async () => {
    const bot = await startTestBot({
      databaseUrl: database.url,
      services: [exampleServiceRaw()],
      wiring: { options: { noSchedules: true } },
    });
    try {
      const answer = await post(
        bot.baseUrl,
        '/webhooks/alertmanager',
        alertmanagerWebhook([{ labels: { alertname: 'AuthDown', service: SERVICE } }]),
      );
      expect(answer.status).toBe(503);
      expect(String(answer.body.error)).toContain('WEBHOOK_SECRET is not set');
    } finally {
      await bot.stop();
    }
  });
});

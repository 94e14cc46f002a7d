/**
 * Issue 8, security, over real HTTP to the running bot: oversized and malformed bodies on
 * /slack/events and on the alert webhooks get a clear 4xx, and the bot still serves afterwards.
 */
import { rows } from '../support/database';
import { post, signedHeaders, useSecurityWorld, WEBHOOK_SECRET } from './support/security';

describe('security', () => {
  const { ctx, events, deliveries, incidents, stillServes } = useSecurityWorld('faults_security_payloads');

  describe('oversized and malformed payloads', () => {
    it(
      'refuses a body over 512 KB on /slack/events (413, signed or not) before reading ' + 'it, and goes on serving',
      async () => {
        const body = JSON.stringify({
          type: 'event_callback',
          event_id: 'Ev0OVERSIZE',
          event: { type: 'app_mention', user: 'U0DEVOPS1', channel: 'C0PRODALRT', text: 'x'.repeat(600 * 1024) },
        });
        const before = await deliveries();
        const answers = await Promise.all([
          post(events(), body, signedHeaders(body, 'application/json')),
          post(events(), body, { 'content-type': 'application/json' }),
        ]);
        expect(answers.map((a) => a.status)).toEqual([413, 413]);
        expect(await deliveries()).toBe(before);
        await stillServes();
      },
    );

    it(
      'answers malformed Slack bodies (signed, so they get past the signature check) ' +
        'with a 4xx, never a 5xx, acts on none, and goes on serving',
      async () => {
        const form = 'application/x-www-form-urlencoded';
        const malformed: [string, string][] = [
          ['{not json', 'application/json'],
          ['', 'application/json'],
          ['[1,2,3]', 'application/json'],
          [JSON.stringify({ type: 'event_callback', event_id: 'Ev0NOEVENT' }), 'application/json'],
          ['payload=%7Bnot-json', form],
          [
            new URLSearchParams({
              payload: JSON.stringify({ type: 'block_actions', trigger_id: '9.9.badbad', user: { id: 'U0NOBODY1' } }),
            }).toString(),
            form,
          ],
          [
            new URLSearchParams({
              payload: JSON.stringify({ type: 'no_such_type', trigger_id: '9.9.cafe00' }),
            }).toString(),
            form,
          ],
          ['plain words', 'text/plain'],
        ];
        const before = await incidents();
        // Sent side by side: a body no listener takes is held by Bolt for its 3-second ack window, then refused.
        const answers = await Promise.all(
          malformed.map(([body, type]) => post(events(), body, signedHeaders(body, type))),
        );
        expect(answers.map((a, i) => [malformed[i]?.[0].slice(0, 30), a.status >= 400 && a.status < 500])).toEqual(
          malformed.map(([body]) => [body.slice(0, 30), true]),
        );
        expect(await incidents()).toBe(before);
        await stillServes();
      },
    );

    it(
      'on the alert webhooks: 413 over 1 MB, 400 with the reason for malformed bodies, ' +
        '401 without the secret; nothing stored',
      async () => {
        const url = `${ctx.world.bot.baseUrl}/webhooks/alertmanager`;
        const auth = { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_SECRET}` };
        const alertRows = async (): Promise<number> =>
          Number((await rows<{ n: string }>(ctx.database.url, 'SELECT count(*) AS n FROM alert_states'))[0]?.n);
        const stored = await alertRows();
        const alert = {
          version: '4',
          groupKey: '{}:{alertname="HighErrorRate"}',
          truncatedAlerts: 0,
          status: 'firing',
          receiver: 'rollback-bot',
          groupLabels: { alertname: 'HighErrorRate' },
          commonLabels: { alertname: 'HighErrorRate', service: 'not-a-service' },
          commonAnnotations: {},
          externalURL: 'http://alertmanager.local',
          alerts: [
            {
              status: 'firing',
              labels: { alertname: 'HighErrorRate', service: 'not-a-service' },
              annotations: {},
              startsAt: new Date().toISOString(),
              endsAt: '0001-01-01T00:00:00Z',
              generatorURL: 'http://prometheus.local',
              fingerprint: 'f00dfeed',
            },
          ],
        };

        const tooLarge = await post(url, JSON.stringify({ ...alert, padding: 'x'.repeat(1100 * 1024) }), auth);
        expect(tooLarge.status).toBe(413);
        const notJson = await post(url, '{"version": "4", ', auth);
        expect(notJson.status).toBe(400);
        expect(JSON.parse(notJson.text)).toMatchObject({
          error: expect.stringMatching(/not JSON/),
          fix: expect.any(String),
        });
        const wrongShape = await post(url, JSON.stringify({ ...alert, alerts: 'none' }), auth);
        expect(wrongShape.status).toBe(400);
        expect(JSON.parse(wrongShape.text)).toMatchObject({
          error: expect.stringMatching(/alerts/),
          fix: expect.any(String),
        });
        const unauthenticated = await Promise.all([
          post(url, JSON.stringify(alert), { 'content-type': 'application/json' }),
          post(url, JSON.stringify(alert), {
            'content-type': 'application/json',
            authorization: 'Bearer wrong-secret',
          }),
        ]);
        expect(unauthenticated.map((a) => a.status)).toEqual([401, 401]);
        expect(await alertRows()).toBe(stored);

        // The same route takes a well-formed body (an alert for no known service: counted, not stored).
        const accepted = await post(url, JSON.stringify(alert), auth);
        expect(accepted.status).toBe(202);
        await stillServes();
      },
    );
  });
});

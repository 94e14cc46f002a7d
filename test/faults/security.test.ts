/**
 * Issue 8, security, over real HTTP to the running bot: forged, tampered, stale and
 * replayed Slack requests. Nothing is done for what must be refused, the refusal is a
 * clear 401, and a replay within the window is handled once.
 */
import { newTriggerId } from '../../src/standins/slack/signed-requests';
import { SERVICE } from '../support/incident-world';
import { breakProduction, startedIncident, waitForIncident } from './support/incident-checks';
import { post, signedHeaders, useSecurityWorld } from './support/security';

describe('security', () => {
  const { ctx, events, deliveries, incidents } = useSecurityWorld('faults_security');
  let n = 0;

  describe('forged, tampered, stale and replayed Slack requests', () => {
    it(
      'refuses forged, tampered, unsigned and stale requests with 401 and does nothing; ' +
        'a replay within the window is handled once',
      async () => {
        const { world, database } = ctx;
        n += 1;
        const { good } = breakProduction(world, n);
        const body = new URLSearchParams({
          team_id: 'T0STANDIN',
          channel_id: 'C0PRODALRT',
          user_id: 'U0DEVOPS1',
          command: '/rollback',
          text: `${SERVICE} to ${good.id} replay test`,
          response_url: world.slack.responseUrl('replay'),
          trigger_id: newTriggerId(),
        }).toString();
        const form = 'application/x-www-form-urlencoded';
        const before = {
          deliveries: await deliveries(),
          incidents: await incidents(),
          moves: world.vercel.state.count('POST', '/rollback/'),
        };
        const captured = signedHeaders(body, form);

        const refused = await Promise.all([
          post(events(), body, { ...captured, 'x-slack-signature': 'v0=' + '0'.repeat(64) }),
          post(events(), body.replace('replay+test', 'tampered+text'), captured),
          post(events(), body, { 'content-type': form }),
          post(events(), body, signedHeaders(body, form, Math.floor(Date.now() / 1000) - 6 * 60)),
        ]);
        expect(refused.map((r) => r.status)).toEqual([401, 401, 401, 401]);
        expect({ deliveries: await deliveries(), incidents: await incidents() }).toEqual({
          deliveries: before.deliveries,
          incidents: before.incidents,
        });

        // The genuine request, then the very same bytes and headers again (a replay inside Slack's 5 minutes).
        const first = await post(events(), body, captured);
        const replayed = await post(events(), body, captured);
        expect([first.status, replayed.status]).toEqual([200, 200]);
        const id = startedIncident(JSON.parse(first.text) as { text: string });
        expect(replayed.text).toBe('');
        await waitForIncident(database.url, id, 'resolved');
        expect(await incidents()).toBe(before.incidents + 1);
        expect(world.vercel.state.count('POST', '/rollback/') - before.moves).toBe(1);
      },
    );
  });
});

/**
 * App Home shows the flags switched (incident actions that are not rollbacks):
 * someone looking at it sees the count change after `/rollback flag`, with no
 * incident open, as it changes after an incident does.
 */
import { commandAnswer } from '../support/flags';
import { SERVICE, useWorld } from '../support/incident-world';

describe('App Home after a flag switch', () => {
  const ctx = useWorld('e2e_flag_home');

  it('is republished for a recent viewer with the new count', async () => {
    const { world } = ctx;
    const user = 'U0DEVOPS1';
    await world.bot.sender.event({ type: 'app_home_opened', user, channel: 'D0HOMETAB', tab: 'home', event_ts: '1' });
    const published = (c: { method: string; params: Record<string, unknown> }): boolean =>
      c.method === 'views.publish' && c.params.user_id === user;
    const first = await world.slack.waitForCall(published, 10_000);
    expect(JSON.stringify(first.params.view)).toContain('0 feature flags turned off, 0 turned on');
    expect(await commandAnswer(world, `flag ${SERVICE} ai-notes off errors`, user)).toMatch(/reads false/);
    const refreshed = await world.slack.waitForCall(
      (c) =>
        c.method === 'views.publish' &&
        c.params.user_id === user &&
        JSON.stringify(c.params.view).includes('1 feature flag turned off, 0 turned on (1 with no incident open)'),
      20_000,
    );
    expect(refreshed.answer.ok).toBe(true);
  });
});

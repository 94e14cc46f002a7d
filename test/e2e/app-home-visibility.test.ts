/**
 * Issue 16 item 10 over HTTP with the Slack stand-in and real PostgreSQL:
 * incident text may hold sensitive detail, so App Home shows each user the
 * open incidents of the services where they hold a role; a service set to
 * `slack.homeShowsEveryone` (small teams) shows them to everyone.
 */
import { openQuestionIncident } from '../../src/rollback/incident/hotfix';
import { SERVICE, type World, useWorld } from '../support/incident-world';
import { homeOf as publishedHome } from '../support/surfaces';

/** The view published for the user, as JSON. */
const homeOf = async (world: World, user: string): Promise<string> => JSON.stringify(await publishedHome(world, user));

const ISSUE = 'Notes of patient 4711 shown to another clinic';

describe('App Home, default visibility', () => {
  const ctx = useWorld('e2e_home_roles');

  it('shows the open incident to people with a role of its service, and not to others', async () => {
    const { incident } = await openQuestionIncident(ctx.world.bot.bot.engine.deps, {
      service: SERVICE,
      issue: ISSUE,
      trigger: 'report',
      actor: 'U0DEVOPS1',
    });
    for (const user of ['U0DEVOPS1', 'U0DBADMIN', 'U0ONCALL1']) {
      const home = await homeOf(ctx.world, user);
      expect([user, home.includes(incident.id), home.includes('patient 4711')]).toEqual([user, true, true]);
    }
    const stranger = await homeOf(ctx.world, 'U0NOBODY1');
    expect(stranger).not.toContain(incident.id);
    expect(stranger).not.toContain('patient 4711');
  });
});

describe('App Home of a service that shows everyone', () => {
  const ctx = useWorld('e2e_home_all', {
    service: { slack: { alertsChannel: 'C0PRODALRT', homeShowsEveryone: true } },
  });

  it('shows the open incident to someone without a role too', async () => {
    const { incident } = await openQuestionIncident(ctx.world.bot.bot.engine.deps, {
      service: SERVICE,
      issue: ISSUE,
      trigger: 'report',
      actor: 'U0DEVOPS1',
    });
    expect(await homeOf(ctx.world, 'U0NOBODY1')).toContain(incident.id);
  });
});

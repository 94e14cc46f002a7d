/**
 * App Home over the real bot and the Slack stand-in: published when a user
 * opens it (a signed app_home_opened event), republished for them when an
 * incident changes, and showing open incidents, live and last known good
 * versions, the metrics against their targets and the open follow-ups.
 */
import type { RecordedCall } from '../../src/standins/slack/server';
import { validateView } from '../../src/standins/slack/block-kit';
import { SERVICE, useWorld } from '../support/incident-world';
import { rows } from '../support/database';

interface HomeBlock {
  type: string;
  text?: { text: string };
  fields?: { text: string }[];
}

const viewOf = (call: RecordedCall): { type: string; blocks: HomeBlock[] } =>
  JSON.parse(String(call.params.view)) as { type: string; blocks: HomeBlock[] };
const textOf = (call: RecordedCall): string =>
  viewOf(call)
    .blocks.flatMap((b) => [b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text)])
    .join('\n');

describe('App Home', () => {
  // The Vercel stand-in dates deployments by the real clock; the bot's clock must not run behind it,
  // or a restore would look older than the deployment it rolled back from.
  const ctx = useWorld('follow_home', { at: new Date(Date.now() + 3_600_000).toISOString() });
  const publishes = (user: string) =>
    ctx.world.slack.callsOf('views.publish').filter((c) => c.params.user_id === user && c.answer.ok);
  const open = (user: string, tab = 'home') =>
    ctx.world.bot.sender.event({
      type: 'app_home_opened',
      user,
      channel: 'D0HOMETAB',
      tab,
      event_ts: `${Date.now() / 1000}`,
    });

  it('publishes the home when a user opens it, within Slack limits, and remembers them', async () => {
    expect((await open('U0DEVOPS1')).status).toBe(200);
    const call = await ctx.world.slack.waitForCall(
      (c) => c.method === 'views.publish' && c.params.user_id === 'U0DEVOPS1' && c.answer.ok,
      10_000,
    );
    expect(validateView(viewOf(call), 'home')).toEqual([]);
    const text = textOf(call);
    expect(text).toContain('No open incident');
    expect(text).toContain('Dr Amal Clinical OS');
    expect(text).toContain('*Rollback frequency*: 0 per month (target &lt; 1 per month, 0 rollbacks)');
    expect(text).toContain('Nothing open');
    const viewers = await rows<{ user_id: string }>(ctx.database.url, 'SELECT user_id FROM app_home_views');
    expect(viewers.map((v) => v.user_id)).toEqual(['U0DEVOPS1']);
  });

  it('ignores the Messages tab, which the manifest turns off', async () => {
    const before = publishes('U0CTO0001').length;
    await open('U0CTO0001', 'messages');
    // A Home opened after it is published only once the earlier event was long handled.
    await open('U0DBADMIN');
    await ctx.world.slack.waitForCall(
      (c) => c.method === 'views.publish' && c.params.user_id === 'U0DBADMIN' && c.answer.ok,
      10_000,
    );
    expect(publishes('U0CTO0001')).toHaveLength(before);
    expect(await rows(ctx.database.url, "SELECT 1 FROM app_home_views WHERE user_id = 'U0CTO0001'")).toEqual([]);
  });

  it('republishes for its viewer when an incident changes', async () => {
    const before = publishes('U0DEVOPS1').length;
    const ack = (
      await ctx.world.bot.sender.slashCommand({ text: `${SERVICE} sign-in returns 500`, userId: 'U0DEVOPS1' })
    ).json() as { text: string };
    const incidentId = /started as (INC-\S+)\./.exec(ack.text)?.[1] ?? 'none';
    const refreshed = await ctx.world.slack.waitForCall(
      (c) =>
        c.method === 'views.publish' &&
        c.params.user_id === 'U0DEVOPS1' &&
        c.answer.ok &&
        textOf(c).includes(incidentId),
      15_000,
    );
    expect(publishes('U0DEVOPS1').length).toBeGreaterThan(before);
    expect(validateView(viewOf(refreshed), 'home')).toEqual([]);
  });

  it(
    'shows the restored version as last known good, the metrics and the open ' + 'follow-ups after the rollback',
    async () => {
      await ctx.world.waitForPost('Post-rollback checklist', 20_000);
      const before = publishes('U0CTO0001').length;
      await open('U0CTO0001');
      const call = await ctx.world.slack.waitForCall(
        (c) =>
          c.method === 'views.publish' &&
          c.params.user_id === 'U0CTO0001' &&
          c.answer.ok &&
          publishes('U0CTO0001').length > before,
        10_000,
      );
      const text = textOf(call);
      expect(text).toContain('No open incident');
      expect(text).toMatch(/\*Live:\*\n1\.9\.0 \(commit [0-9a-f]{7}\)/);
      expect(text).toMatch(/\*Last known good:\*\n1\.9\.0 \(commit [0-9a-f]{7}\), marked/);
      expect(text).toContain('1 rollback in the period');
      expect(text).toMatch(
        /✅ \*Execution time \(decision → restored\)\*: worst \d+ m?s \(target &lt; 5 min, 1 incident\)/,
      );
      expect(text).toContain('*Verify production health*: due');
      expect(text).toContain('Open post-rollback actions (8)');
    },
  );
});

/**
 * Issue 12 item 10 over HTTP with the stand-ins: after an instant rollback
 * Vercel assigns no new production deployment until someone promotes. The
 * closing message, /rollback status and App Home say so and offer Unpin; only
 * the DevOps lead may press it; it promotes the fix (a READY production
 * deployment that did not go live), writes the timeline, and later pushes go
 * live again.
 */
import { UNPIN } from '../../src/slack/action-ids';
import { readHome } from '../../src/post-rollback/app-home';
import { SERVICE, type World, useWorld } from '../support/incident-world';

/** The Unpin button's value anywhere in posted or answered blocks. */
function unpinValueIn(blocks: unknown): string | undefined {
  const walk = (node: unknown): string | undefined => {
    if (Array.isArray(node)) return node.map(walk).find((v) => v !== undefined);
    if (!node || typeof node !== 'object') return undefined;
    const record = node as Record<string, unknown>;
    if (record.action_id === UNPIN) return String(record.value);
    return Object.values(record)
      .map(walk)
      .find((v) => v !== undefined);
  };
  return walk(typeof blocks === 'string' ? JSON.parse(blocks) : blocks);
}

const postedBlocks = (world: World, words: string): unknown =>
  world.slack.callsOf('chat.postMessage').find((c) => String(c.params.text ?? '').includes(words))?.params.blocks;

/** /rollback status as the DevOps lead sees it: its text and the Unpin button's value, if any. */
async function status(world: World, responseId: string): Promise<{ text: string; unpin: string | undefined }> {
  await world.bot.sender.slashCommand({ text: `status ${SERVICE}`, userId: 'U0DEVOPS1', responseId });
  const body = (await world.slack.waitForResponse((p) => p.id === responseId, 10_000)).body;
  return { text: JSON.stringify(body), unpin: unpinValueIn(body) };
}

async function click(world: World, userId: string, value: string, responseId: string): Promise<string> {
  await world.bot.sender.blockAction({ userId, actionId: UNPIN, value, responseId });
  return JSON.stringify((await world.slack.waitForResponse((p) => p.id === responseId, 20_000)).body);
}

describe('pinned production after an instant rollback, and Unpin', () => {
  const ctx = useWorld('e2e_unpin');

  it(
    'says production is pinned everywhere, refuses Unpin to anyone but the DevOps ' +
      'lead, and promotes the fix for the lead',
    async () => {
      const { world } = ctx;
      await world.bot.sender.slashCommand({ text: `${SERVICE} sign-in returns 500`, userId: 'U0DEVOPS1' });
      await world.waitForPost('ROLLBACK COMPLETE', 20_000);
      expect(world.vercel.state.project.autoAssignCustomDomains).toBe(false);

      // The closing message says production is pinned and carries Unpin for this incident.
      const closing = postedBlocks(world, 'ROLLBACK COMPLETE');
      expect(JSON.stringify(closing)).toContain('Production is pinned');
      const fromClosing = unpinValueIn(closing);
      const incident = await world.bot.bot.engine.deps.store.listIncidents({ limit: 1 });
      expect(fromClosing).toBe(`${SERVICE}|${incident[0]?.id}|`);

      // The fix is pushed; Vercel builds it but, pinned, does not make it production.
      const fix = world.vercel.state.addDeployment({ version: '2.0.1', servedProduction: false });
      expect(world.vercel.state.production()?.id).toBe(world.history.good.id);

      // /rollback status names the pin and offers Unpin of the fix by name.
      const pinnedStatus = await status(world, 'status-pinned');
      expect(pinnedStatus.text).toContain('📌 Yes');
      expect(pinnedStatus.text).toContain('promotes 2.0.1');
      expect(pinnedStatus.unpin).toBe(`${SERVICE}||${fix.id}`);

      // App Home shows the same.
      const home = await readHome(world.bot.bot.engine.deps);
      expect(home.services[0]?.pinned?.unpinWith?.deploymentId).toBe(fix.id);

      // Anyone but the DevOps lead is refused by the gate and nothing moves.
      for (const user of ['U0ONCALL1', 'U0NOBODY1']) {
        expect(await click(world, user, fromClosing as string, `unpin-${user}`)).toMatch(
          /Only the DevOps lead of dr-amal-clinical-os may unpin production/,
        );
      }
      expect(world.vercel.state.count('POST', '/promote/')).toBe(0);
      expect(world.vercel.state.production()?.id).toBe(world.history.good.id);

      // The DevOps lead's Unpin from the closing message promotes the fix.
      expect(await click(world, 'U0DEVOPS1', fromClosing as string, 'unpin-lead')).toContain(
        `was promoted and serves production; later pushes go live again`,
      );
      expect(world.vercel.state.production()?.id).toBe(fix.id);
      expect(world.vercel.state.project.autoAssignCustomDomains).toBe(true);
      const timeline = await world.bot.bot.engine.deps.store.timeline(incident[0]?.id as string);
      expect(timeline.map((t) => t.kind)).toEqual(expect.arrayContaining(['refused', 'unpinned']));
      expect(timeline.find((t) => t.kind === 'unpinned')).toMatchObject({
        actor: 'U0DEVOPS1',
        data: expect.objectContaining({ deploymentId: fix.id }),
      });

      // Not pinned any more: status says so and offers no Unpin; a second press changes nothing.
      const after = await status(world, 'status-after');
      expect(after.text).toContain('No: new production deployments go live as usual');
      expect(after.unpin).toBeUndefined();
      expect(await click(world, 'U0DEVOPS1', fromClosing as string, 'unpin-again')).toContain('is not pinned');
      expect(world.vercel.state.count('POST', '/promote/')).toBe(1);
    },
  );
});

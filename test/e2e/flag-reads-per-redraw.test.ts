/**
 * The hotfix question and the schema approval read each flag they offer at
 * its provider, and they are redrawn on every change to the incident: a burst
 * of redraws reads the flag once (a reading is reused for a few seconds, on
 * the bot's clock), not once per redraw. A switch by the bot itself is read
 * anew at once, so the question never shows the flag as it was before it.
 */
import { DISABLE_FLAG } from '../../src/slack/action-ids';
import { FLAG_READ_REUSE_MS } from '../../src/slack/announcer';
import { alertNamingTheFeature, commandAnswer } from '../support/flags';
import { FLAG, SERVICE, callText, useWorld } from '../support/incident-world';

/** The Vercel API's reads of the flag's item (the switch's own read-back goes to the Edge Config read endpoint). */
const ITEM_READS = `/v1/edge-config/${FLAG.edgeConfigId}/item/`;
const REDRAWS = 6;

describe("the flag's provider read per redraw of the hotfix question", () => {
  const ctx = useWorld('e2e_flag_reads_per_redraw');

  it('reads once per reuse time over a burst of redraws, and anew right after the bot switches the flag', async () => {
    const { world } = ctx;
    const reads = (): number => world.vercel.state.count('GET', ITEM_READS);
    const incidentId = await alertNamingTheFeature(world);
    const redraw = async (times: number): Promise<void> => {
      for (let i = 0; i < times; i += 1) await world.bot.bot.engine.deps.announcer.announce(incidentId);
    };
    await world.waitForPost('Disable ai-notes');
    world.clock.advance(FLAG_READ_REUSE_MS + 1000);
    const before = reads();
    await redraw(REDRAWS);
    expect(reads() - before).toBe(1);
    world.clock.advance(FLAG_READ_REUSE_MS + 1000);
    await redraw(REDRAWS);
    expect(reads() - before).toBe(2);

    // Turned off in the Vercel dashboard: the next read after the reuse time sees it.
    world.vercel.edgeConfig.patch(FLAG.edgeConfigId, [{ operation: 'upsert', key: FLAG.key, value: false }]);
    world.clock.advance(FLAG_READ_REUSE_MS + 1000);
    await redraw(1);
    expect(reads() - before).toBe(3);
    await world.waitForPost('already off at the provider');

    // The bot turns it back on within the reuse time: the question, redrawn, reads it anew and offers Disable again.
    const since = world.slack.calls.length;
    const on = await commandAnswer(world, `flag ${SERVICE} ai-notes on fixed in 2.0.1`, 'U0DEVOPS1');
    expect(on).toMatch(/turned the feature flag ai-notes \(.*\) on/);
    expect(reads() - before).toBe(4);
    const redrawn = await world.slack.waitForCall(
      (c) =>
        world.slack.calls.indexOf(c) >= since &&
        c.method === 'chat.update' &&
        c.answer.ok &&
        callText(c).includes('Can it be hotfixed'),
      15_000,
    );
    expect(callText(redrawn)).toContain(DISABLE_FLAG);
    expect(callText(redrawn)).not.toContain('already off at the provider');
    await redraw(REDRAWS);
    expect(reads() - before).toBe(4);
  });
});

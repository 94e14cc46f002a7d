/**
 * The kill switch pressed twice: two quick presses of "Disable ai-notes" (Slack
 * delivers each to whichever replica), or a press and `/rollback flag ... off`
 * while the first is still reading back, make one write to Edge Config and one
 * switch on the timeline; the other is told the switch is in progress or the
 * flag is already off. A flag turned back on outside the bot is switched again.
 */
import { DISABLE_FLAG } from '../../src/slack/action-ids';
import { alertNamingTheFeature, buttonAnswer, commandAnswer, flagTimeline, flagValue } from '../support/flags';
import { FLAG, SERVICE, useWorld } from '../support/incident-world';

const BUSY = /being turned off right now by <@U0(?:DEVOPS1|BOTH001)> \(since .+\)/;
const NOT_AGAIN = new RegExp(`^ai-notes is (${BUSY.source}|already off: .+); nothing was changed`);

describe('"Disable <flag>" pressed twice', () => {
  const ctx = useWorld('e2e_flag_double_press');

  it('writes the flag once, whoever presses second and through whichever surface', async () => {
    const { world } = ctx;
    const incidentId = await alertNamingTheFeature(world);
    await world.waitForPost('Disable ai-notes');
    const value = `${incidentId}|ai-notes`;
    const patches = (): number => world.vercel.state.count('PATCH', '/edge-config/');

    const answers = await Promise.all([
      buttonAnswer(world, { userId: 'U0DEVOPS1', actionId: DISABLE_FLAG, value }),
      buttonAnswer(world, { userId: 'U0BOTH001', actionId: DISABLE_FLAG, value }),
    ]);
    expect(patches()).toBe(1);
    expect(answers.filter((a) => /turned the feature flag ai-notes .* off: it reads false/.test(a))).toHaveLength(1);
    expect(answers.filter((a) => NOT_AGAIN.test(a))).toHaveLength(1);
    expect(flagValue(world)).toBe(false);

    // The command after it: already off (by the press, on the incident), nothing written.
    const command = await commandAnswer(world, `flag ${SERVICE} ai-notes off`, 'U0DEVOPS1');
    expect(command).toMatch(/ai-notes is already off: <@U0(?:DEVOPS1|BOTH001)> turned it off at .+ on incident INC-/);
    expect(patches()).toBe(1);

    // Back on by the command, then a press and the command together: still one write.
    expect(await commandAnswer(world, `flag ${SERVICE} ai-notes on fixed`, 'U0DEVOPS1')).toMatch(/reads true/);
    const together = await Promise.all([
      buttonAnswer(world, { userId: 'U0DEVOPS1', actionId: DISABLE_FLAG, value }),
      commandAnswer(world, `flag ${SERVICE} ai-notes off again`, 'U0BOTH001'),
    ]);
    expect(patches()).toBe(3);
    expect(together.filter((a) => /turned the feature flag ai-notes .* off: it reads false/.test(a))).toHaveLength(1);
    expect(together.filter((a) => NOT_AGAIN.test(a.trim()))).toHaveLength(1);

    const switched = (await flagTimeline(ctx.database.url)).filter((r) => r.kind === 'flag_switched');
    expect(switched.map((r) => r.data.state)).toEqual(['off', 'on', 'off']);

    // Turned back on outside the bot (the Vercel dashboard): the bot's "already off" is not believed.
    world.vercel.edgeConfig.patch(FLAG.edgeConfigId, [{ operation: 'upsert', key: FLAG.key, value: true }]);
    const again = await buttonAnswer(world, { userId: 'U0DEVOPS1', actionId: DISABLE_FLAG, value });
    expect(again).toMatch(/turned the feature flag ai-notes .* off: it reads false/);
    expect(patches()).toBe(4);
  });
});

/**
 * A flag turned off outside the bot (the Vercel dashboard) is not offered: the
 * hotfix question reads the flag at its provider before offering "Disable
 * <flag>" and says it is already off there. A provider that cannot be read
 * still gets the button: it is the kill switch.
 */
import { DISABLE_FLAG, ROLLBACK_NOW } from '../../src/slack/action-ids';
import { alertNamingTheFeature } from '../support/flags';
import { FLAG, useWorld } from '../support/incident-world';

describe('"Disable <flag>" when the flag is already off at the provider', () => {
  const ctx = useWorld('e2e_flag_off_at_provider');

  it('shows the flag as off instead of offering the button', async () => {
    const { world } = ctx;
    world.vercel.edgeConfig.patch(FLAG.edgeConfigId, [{ operation: 'upsert', key: FLAG.key, value: false }]);
    await alertNamingTheFeature(world);
    await world.waitForPost('Can it be hotfixed');
    const text = world.postsWith('Can it be hotfixed').at(-1)?.text ?? '';
    expect(text).toContain('`ai-notes` is off (already off at the provider)');
    expect(text).toContain(ROLLBACK_NOW);
    expect(text).not.toContain(DISABLE_FLAG);
  });
});

describe('"Disable <flag>" when the provider cannot be read', () => {
  const ctx = useWorld('e2e_flag_unreadable');

  it('still offers the button', async () => {
    const { world } = ctx;
    // The item is gone: reading it is a 404, so the bot cannot tell whether the feature is on.
    world.vercel.edgeConfig.patch(FLAG.edgeConfigId, [{ operation: 'delete', key: FLAG.key }]);
    await alertNamingTheFeature(world);
    await world.waitForPost('Can it be hotfixed');
    const text = world.postsWith('Can it be hotfixed').at(-1)?.text ?? '';
    expect(text).toContain(DISABLE_FLAG);
    expect(text).toContain('Disable ai-notes');
    expect(text).not.toContain('already off at the provider');
  });
});

/**
 * `/rollback flag` through the running bot, against the Vercel stand-in's
 * Edge Config (eventually consistent: its read endpoint serves a write one
 * second later): turned off and on again by the DevOps lead, read back where
 * the app reads it, on the timeline and in /rollback stats as an incident
 * action that is not a rollback; refused for people without the authority;
 * plain answers for an unknown flag or service, a missing token and Vercel
 * failing. Working hours (Tuesday 10:00 New York).
 */
import { exampleServiceRaw } from '../support/services';
import { commandAnswer, flagTimeline, flagValue } from '../support/flags';
import { FLAG, SERVICE, useWorld } from '../support/incident-world';

const [exampleFlag] = exampleServiceRaw().flags as Record<string, unknown>[];
const legacy = {
  name: 'legacy-export',
  description: 'CSV export of clinical notes',
  provider: 'edge-config',
  edgeConfig: { id: FLAG.edgeConfigId, key: 'legacy-export', tokenEnv: 'LEGACY_FLAGS_TOKEN' },
};

const editor = {
  name: 'new-editor',
  description: 'the new note editor',
  provider: 'vercel-flags',
  vercelFlags: { flag: 'new-editor', offVariant: 'off' },
};

describe('/rollback flag in working hours', () => {
  const ctx = useWorld('e2e_flag_command', { service: { flags: [exampleFlag, legacy, editor] } });

  it('turns the flag off and on again, reading each change back where the app reads it', async () => {
    const { world } = ctx;
    const off = await commandAnswer(world, `flag ${SERVICE} ai-notes off AI notes return 500`, 'U0DEVOPS1');
    expect(off).toMatch(
      /turned the feature flag ai-notes \(AI-generated clinical notes\) off: it reads false where the app/,
    );
    expect(flagValue(world)).toBe(false);
    // Eventual consistency: the read endpoint answered the old value before the new one showed.
    const reads = world.vercel.state.answers.filter((a) => a.path.startsWith('/edge-config/')).map((a) => a.body);
    expect(reads[0]).toBe(true);
    expect(reads.at(-1)).toBe(false);
    const shownAfter = Number(/where the app reads it after (\d+\.\d) s/.exec(off)?.[1]);
    expect(shownAfter).toBeGreaterThanOrEqual(0.9);
    await world.waitForPost('Feature disabled: ai-notes');

    const on = await commandAnswer(world, `flag ${SERVICE} ai-notes on fixed in 2.0.1`, 'U0DEVOPS1');
    expect(on).toMatch(/turned the feature flag ai-notes .* on: it reads true/);
    expect(flagValue(world)).toBe(true);
    await world.waitForPost('Feature enabled again: ai-notes');

    const switched = (await flagTimeline(ctx.database.url)).filter((r) => r.kind === 'flag_switched');
    expect(switched.map((r) => [r.service, r.incident_id, r.data.state, r.data.reason])).toEqual([
      [SERVICE, null, 'off', 'AI notes return 500'],
      [SERVICE, null, 'on', 'fixed in 2.0.1'],
    ]);
    const stats = await commandAnswer(world, `stats ${SERVICE}`, 'U0DEVOPS1');
    expect(stats).toMatch(/0 rollbacks/);
    expect(stats).toMatch(/not rollbacks:\* 1 feature flag turned off, 1 turned on \(2 with no incident open\)/);
  });

  it('pauses a Vercel Flags flag (everyone gets its off variant) and resumes it', async () => {
    const { world } = ctx;
    world.vercel.featureFlags.createBoolean('new-editor');
    const off = await commandAnswer(world, `flag ${SERVICE} new-editor off editor loses notes`, 'U0DEVOPS1');
    expect(off).toMatch(
      /turned the feature flag new-editor \(the new note editor\) off: it reads \{"active":false,"serves":false\}/,
    );
    expect(world.vercel.featureFlags.served('new-editor', 'production')).toBe(false);
    expect(world.vercel.featureFlags.served('new-editor', 'preview')).toBe(true);
    expect(await commandAnswer(world, `flag ${SERVICE} new-editor on`, 'U0DEVOPS1')).toMatch(
      /new-editor .* on: it reads/,
    );
    expect(world.vercel.featureFlags.served('new-editor', 'production')).toBe(true);
  });

  it('refuses people without the authority and changes nothing', async () => {
    const { world } = ctx;
    const patches = world.vercel.state.count('PATCH', '/edge-config/');
    expect(await commandAnswer(world, `flag ${SERVICE} ai-notes off`, 'U0NOBODY1')).toMatch(
      /Only the DevOps lead may turn the feature flag ai-notes off during working hours/,
    );
    expect(await commandAnswer(world, `flag ${SERVICE} ai-notes off`, 'U0ONCALL1')).toMatch(
      /only the DevOps lead may turn the feature flag ai-notes off; the on-call engineer may outside them/,
    );
    expect(await commandAnswer(world, `flag ${SERVICE} ai-notes off`, 'U0CTO0001')).toMatch(/Only the DevOps lead/);
    expect(world.vercel.state.count('PATCH', '/edge-config/')).toBe(patches);
    expect(flagValue(world)).toBe(true);
    const refused = (await flagTimeline(ctx.database.url)).filter((r) => r.kind === 'refused');
    expect(refused.map((r) => r.actor)).toEqual(['U0NOBODY1', 'U0ONCALL1', 'U0CTO0001']);
  });

  it('answers an unknown flag or service, a missing token and Vercel failing plainly', async () => {
    const { world } = ctx;
    expect(await commandAnswer(world, `flag ${SERVICE} dark-mode off`, 'U0DEVOPS1')).toMatch(
      /has no feature flag `dark-mode`; nothing was changed\. Its flags: `ai-notes`, `legacy-export`, `new-editor`/,
    );
    expect(await commandAnswer(world, 'flag billing ai-notes off', 'U0DEVOPS1')).toMatch(/Unknown service `billing`/);
    expect(await commandAnswer(world, `flag ${SERVICE} ai-notes maybe`, 'U0DEVOPS1')).toMatch(
      /`maybe` is not `off` or `on`/,
    );
    expect(await commandAnswer(world, `flag ${SERVICE} legacy-export off`, 'U0DEVOPS1')).toMatch(
      /LEGACY_FLAGS_TOKEN is not set, so the bot cannot change or read the flag legacy-export; nothing was changed/,
    );
    world.vercel.state.inject({ kind: 'status', status: 500, match: '/v1/edge-config' }, 4);
    const failed = await commandAnswer(world, `flag ${SERVICE} ai-notes off`, 'U0DEVOPS1');
    expect(failed).toMatch(/^:warning: Vercel refused to turn ai-notes off .*HTTP 500.*vercel-status/);
    expect(flagValue(world)).toBe(true);
    const last = (await flagTimeline(ctx.database.url)).at(-1);
    expect(last).toMatchObject({ kind: 'flag_failed', data: { flag: 'ai-notes', state: 'off', code: 'unavailable' } });
  });
});

/**
 * The flag stand-ins (Edge Config, Vercel Flags) held to Vercel's own contract: every answer they give when the bot
 * turns a flag off and on, pauses or resumes it, reads it, or is refused, is checked against @vercel/sdk's response
 * models. A field the models do not know is a field Vercel does not send, so the adapter must not rely on it. The
 * deployment stand-in: standin-contract.test.ts.
 */
import { type Harness, PROJECT, TEAM, startHarness } from './harness';
import { VercelFlags } from '../../src/flags/vercel-flags';
import { EdgeConfigFlags } from '../../src/flags/edge-config-flags';
import { seen, violations } from './contract/sdk-answers';

describe('the Edge Config stand-in answers as Vercel documents', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.stop());
  const flag = () => {
    const found = h.service.flags[0];
    if (found?.provider !== 'edge-config') throw new Error('the example service has an Edge Config flag');
    return found;
  };
  const item = { key: 'k', value: true, edgeConfigId: 'ecfg_a', createdAt: 1, updatedAt: 1 };

  it('the validator catches a wrong type, an invented field, a non-array list and a wrong batch answer', () => {
    const problems = violations([
      { method: 'GET', path: '/v1/edge-config/ecfg_a/item/k', status: 200, body: { ...item, updatedAt: 'yesterday' } },
      { method: 'GET', path: '/v1/edge-config/ecfg_a/item/k', status: 200, body: { ...item, digest: 'x' } },
      { method: 'GET', path: '/v1/edge-config/ecfg_a/items', status: 200, body: item },
      { method: 'PATCH', path: '/v1/edge-config/ecfg_a/items', status: 200, body: { ok: true } },
      { method: 'PATCH', path: '/v1/edge-config/ecfg_a/items', status: 201, body: { status: 'ok' } },
    ]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^getEdgeConfigItem 200: updatedAt/),
        expect.stringMatching(/^getEdgeConfigItem 200: digest: not a field/),
        'getEdgeConfigItems 200: (root): expected an array',
        'patchEdgeConfigItems 200: status: Required string',
        'patchEdgeConfigItems 200: ok: not a field of the documented answer',
        'patchEdgeConfigItems 201: status 201 is not one Vercel documents for patchEdgeConfigItems',
      ]),
    );
  });

  it('every answer of turning a flag off and on, reading it, and its refusals fits the models', async () => {
    const { id, key } = flag().edgeConfig;
    h.standin.edgeConfig.create(id, { [key]: true, other: { nested: [1, 'two', null] } });
    const sleep = (ms: number) => {
      h.clock.advance(ms);
      return Promise.resolve();
    };
    const env = { VERCEL_TOKEN: h.standin.token, EDGE_CONFIG_READ_TOKEN: `ecfg-read-${id}` };
    const now = () => h.clock.now().getTime();
    const options = { apiUrl: h.standin.url, readUrl: h.standin.edgeConfigReadUrl, sleep, now };
    const flags = new EdgeConfigFlags({ ...options, env });
    await flags.set({ service: h.service, flag: flag(), state: 'off' });
    h.standin.state.inject({ kind: 'status', status: 429, match: '/v1/edge-config', retryAfter: '1' });
    await flags.set({ service: h.service, flag: flag(), state: 'on' });
    expect(await flags.read(h.service, flag())).toEqual({ state: 'on', value: true });
    const missing = { ...flag(), edgeConfig: { ...flag().edgeConfig, key: 'not-there' } };
    await expect(flags.read(h.service, missing)).rejects.toMatchObject({ code: 'not_found' });
    const otherTeam = { ...flag(), edgeConfig: { ...flag().edgeConfig, teamId: 'team_other' } };
    await expect(flags.read(h.service, otherTeam)).rejects.toMatchObject({ code: 'forbidden' });
    const unknown = { ...flag(), edgeConfig: { ...flag().edgeConfig, id: 'ecfg_unknown' } };
    const unknownSet = flags.set({ service: h.service, flag: unknown, state: 'off' });
    await expect(unknownSet).rejects.toMatchObject({ code: 'not_found' });
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${h.standin.url}${path}?teamId=${TEAM}`, {
        method,
        headers: { authorization: `Bearer ${h.standin.token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    await call('GET', `/v1/edge-config/${id}/items`);
    await call('GET', `/v1/global-config/${id}/items`);
    await call('PATCH', `/v1/edge-config/${id}/items`, { items: [{ operation: 'update', key: 'absent', value: 1 }] });
    await call('PATCH', `/v1/edge-config/${id}/items`, { items: [{ operation: 'rename', key }] });
    const answers = h.standin.state.answers;
    expect([...seen(answers)]).toEqual(
      expect.arrayContaining([
        'patchEdgeConfigItems 200',
        'patchEdgeConfigItems 429',
        'patchEdgeConfigItems 400',
        'patchEdgeConfigItems 404',
        'getEdgeConfigItem 200',
        'getEdgeConfigItem 404',
        'getEdgeConfigItem 403',
        'getEdgeConfigItems 200',
      ]),
    );
    expect(violations(answers)).toEqual([]);
  });
});

describe('the Vercel Flags stand-in answers as Vercel documents', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.stop());

  it('the validator catches a state Vercel does not have and an invented field of a flag', () => {
    const flag = h.standin.featureFlags.createBoolean('ai-notes');
    const path = `/v1/projects/${PROJECT}/feature-flags/flags/ai-notes`;
    const problems = violations([
      { method: 'GET', path, status: 200, body: { ...flag, state: 'paused' } },
      { method: 'PATCH', path, status: 200, body: { ...flag, killSwitch: true } },
    ]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^getFlag 200: state/),
        expect.stringMatching(/^updateFlag 200: .*killSwitch/),
      ]),
    );
  });

  it('every answer of pausing a flag, resuming it, and its refusals fits the models', async () => {
    h.standin.featureFlags.createBoolean('ai-notes');
    const flag = {
      name: 'ai-notes',
      description: 'AI notes',
      features: [],
      readBackSeconds: 5,
      provider: 'vercel-flags' as const,
      vercelFlags: { flag: 'ai-notes', tokenEnv: 'VERCEL_TOKEN', environment: 'production', offVariant: 'off' },
    };
    const flags = new VercelFlags({ env: { VERCEL_TOKEN: h.standin.token }, apiUrl: h.standin.url });
    expect(await flags.set({ service: h.service, flag, state: 'off' })).toMatchObject({
      value: { active: false, serves: false },
    });
    expect(h.standin.featureFlags.served('ai-notes', 'production')).toBe(false);
    expect(await flags.set({ service: h.service, flag, state: 'on' })).toMatchObject({ value: { active: true } });
    expect(h.standin.featureFlags.served('ai-notes', 'production')).toBe(true);
    const missing = { ...flag, vercelFlags: { ...flag.vercelFlags, flag: 'nope' } };
    await expect(flags.read(h.service, missing)).rejects.toMatchObject({
      code: 'not_found',
      fix: expect.stringMatching(/vercelFlags.flag \(nope\)/),
    });
    const otherTeam = { ...flag, vercelFlags: { ...flag.vercelFlags, teamId: 'team_other' } };
    await expect(flags.read(h.service, otherTeam)).rejects.toMatchObject({ code: 'forbidden' });
    const noVariant = { ...flag, vercelFlags: { ...flag.vercelFlags, offVariant: 'disabled' } };
    await expect(flags.set({ service: h.service, flag: noVariant, state: 'off' })).rejects.toMatchObject({
      code: 'config_invalid',
    });
    await fetch(`${h.standin.url}/v1/projects/${PROJECT}/feature-flags/flags/ai-notes?teamId=${TEAM}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${h.standin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ environments: { production: { active: false, rules: [] } } }),
    });
    const answers = h.standin.state.answers;
    expect([...seen(answers)]).toEqual(
      expect.arrayContaining(['getFlag 200', 'getFlag 404', 'getFlag 403', 'updateFlag 200', 'updateFlag 400']),
    );
    expect(violations(answers)).toEqual([]);
  });
});

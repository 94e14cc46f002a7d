/**
 * The Edge Config kill switch against the stand-in: the write, the read-back
 * through Vercel's eventual consistency, and the plain answers for missing
 * credentials, a read-back that never shows, and Vercel's refusals.
 */
import { EdgeConfigFlags } from '../../src/flags/edge-config-flags';
import type { EdgeConfigFlag } from '../../src/config/service-schema';
import { type Harness, startHarness } from '../vercel/harness';

describe('EdgeConfigFlags', () => {
  let h: Harness;
  let flag: EdgeConfigFlag;
  beforeEach(async () => {
    h = await startHarness({ standin: { edgeConfigPropagationMs: 2000 } });
    const first = h.service.flags[0];
    if (first?.provider !== 'edge-config') throw new Error('the example service has an Edge Config flag');
    flag = first;
    h.standin.edgeConfig.create(flag.edgeConfig.id, { [flag.edgeConfig.key]: true });
  });
  afterEach(() => h.stop());

  const adapter = (env: Record<string, string | undefined>) =>
    new EdgeConfigFlags({
      env,
      apiUrl: h.standin.url,
      readUrl: h.standin.edgeConfigReadUrl,
      readIntervalMs: 500,
      now: () => h.clock.now().getTime(),
      sleep: (ms) => {
        h.clock.advance(ms);
        return Promise.resolve();
      },
    });
  const readToken = () => `ecfg-read-${flag.edgeConfig.id}`;

  it('reads back where the app reads until the write has propagated (old value first)', async () => {
    const outcome = await adapter({ VERCEL_TOKEN: h.standin.token, EDGE_CONFIG_READ_TOKEN: readToken() }).set({
      service: h.service,
      flag,
      state: 'off',
    });
    expect(outcome).toMatchObject({ value: false, readBackFrom: 'edge', reads: 5, shownAfterMs: 2000 });
    const body = JSON.parse(h.standin.state.requests.find((r) => r.method === 'PATCH')?.body ?? '{}') as unknown;
    expect(body).toEqual({ items: [{ operation: 'upsert', key: flag.edgeConfig.key, value: false }] });
    expect(h.standin.state.requests.find((r) => r.method === 'PATCH')?.query.teamId).toBe('team_dramal');
  });

  it('reads back from the REST API, at once, when the flag names no read token', async () => {
    const noReadToken = { ...flag, edgeConfig: { ...flag.edgeConfig, readTokenEnv: undefined } };
    const outcome = await adapter({ VERCEL_TOKEN: h.standin.token }).set({
      service: h.service,
      flag: noReadToken,
      state: 'off',
    });
    expect(outcome).toMatchObject({ readBackFrom: 'api', reads: 1, shownAfterMs: 0 });
  });

  it('says which variable is missing and changes nothing', async () => {
    await expect(adapter({}).set({ service: h.service, flag, state: 'off' })).rejects.toMatchObject({
      code: 'config_invalid',
      message: expect.stringMatching(/VERCEL_TOKEN is not set.*nothing was changed/),
    });
    await expect(
      adapter({ VERCEL_TOKEN: h.standin.token }).set({ service: h.service, flag, state: 'off' }),
    ).rejects.toMatchObject({
      code: 'config_invalid',
      message: expect.stringMatching(/EDGE_CONFIG_READ_TOKEN is not set/),
    });
    expect(h.standin.state.count('PATCH', '/edge-config/')).toBe(0);
  });

  it('gives up after readBackSeconds with what it read, and says the command is safe to repeat', async () => {
    h.standin.edgeConfig.propagationMs = 60_000;
    const error = await adapter({ VERCEL_TOKEN: h.standin.token, EDGE_CONFIG_READ_TOKEN: readToken() })
      .set({ service: h.service, flag: { ...flag, readBackSeconds: 3 }, state: 'off' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'timeout', retryable: true });
    expect(String((error as Error).message)).toMatch(/still reads true where the app reads it/);
  });

  it('turns a bad token and an unknown Edge Config into fixes that name the services-file fields', async () => {
    const wrong = adapter({ VERCEL_TOKEN: 'not-the-token', EDGE_CONFIG_READ_TOKEN: readToken() });
    await expect(wrong.set({ service: h.service, flag, state: 'off' })).rejects.toMatchObject({
      code: 'forbidden',
      fix: expect.stringMatching(/token in VERCEL_TOKEN may not use Edge Config/),
    });
    const unknown = { ...flag, edgeConfig: { ...flag.edgeConfig, id: 'ecfg_missing' } };
    const good = adapter({ VERCEL_TOKEN: h.standin.token, EDGE_CONFIG_READ_TOKEN: readToken() });
    await expect(good.set({ service: h.service, flag: unknown, state: 'off' })).rejects.toMatchObject({
      code: 'not_found',
      fix: expect.stringMatching(/edgeConfig\.id \(ecfg_missing\)/),
    });
  });
});

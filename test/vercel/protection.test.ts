/**
 * Deployment Protection: deployment URLs answer 401 without the project's
 * "Protection Bypass for Automation" secret while the production domain is
 * open. The bot sends the secret named by vercel.protectionBypassEnv, and
 * explains a 401 instead of reading it as "version unknown".
 */
import { parseServicesFile } from '../../src/config/load-config';
import { exampleServiceRaw, servicesYaml } from '../support/services';
import { type Harness, type History, seedHistory, startHarness } from './harness';

const SECRET = 'bypass-secret-0123456789abcdef';

describe('deployment URLs behind Vercel Deployment Protection', () => {
  let h: Harness;
  let history: History;
  const start = async (vercel: Record<string, unknown>, env: Record<string, string> = {}) => {
    h = await startHarness({ vercel, app: { env: { SMOKE_TEST_PASSWORD: 'smoke-secret-123', ...env } } });
    history = seedHistory(h);
    h.standin.state.project.protectionBypass = SECRET;
  };
  afterEach(() => h.stop());

  it('sends x-vercel-protection-bypass from the configured env var and reads the versions', async () => {
    await start({ protectionBypassEnv: 'VERCEL_PROTECTION_BYPASS' }, { VERCEL_PROTECTION_BYPASS: SECRET });
    const resolved = await h.app.resolveTarget(h.service, 'v1.5.0');
    expect(resolved.target).toMatchObject({ id: history.v150.id, version: '1.5.0' });
    const status = await h.app.describeProduction(h.service);
    expect(status.current.version).toBe('2.0.0-beta');
    expect(status.current.versionNote).toBeUndefined();
  });

  it(
    'without the setting, a named version is refused with the setting to add, not "no ' + 'deployment matches"',
    async () => {
      await start({});
      await expect(h.app.resolveTarget(h.service, '1.5.0')).rejects.toMatchObject({
        code: 'forbidden',
        message: expect.stringContaining('answered HTTP 401: Vercel Deployment Protection'),
        fix: expect.stringContaining('vercel.protectionBypassEnv'),
      });
    },
  );

  it('without the setting, production status says why the versions are missing', async () => {
    await start({});
    const status = await h.app.describeProduction(h.service);
    expect(status.current.version).toBeUndefined();
    expect(status.current.versionNote).toContain('vercel.protectionBypassEnv is not set');
  });

  it('a refused secret names the env var to refresh', async () => {
    await start({ protectionBypassEnv: 'VERCEL_PROTECTION_BYPASS' }, { VERCEL_PROTECTION_BYPASS: 'stale' });
    await expect(h.app.resolveTarget(h.service, '1.5.0')).rejects.toMatchObject({
      code: 'forbidden',
      fix: expect.stringContaining('into VERCEL_PROTECTION_BYPASS'),
    });
  });

  it('the services file accepts vercel.protectionBypassEnv as an env var name only', () => {
    const [service] = parseServicesFile(withBypassEnv('VERCEL_PROTECTION_BYPASS'), 'services.yaml');
    expect(service?.vercel.protectionBypassEnv).toBe('VERCEL_PROTECTION_BYPASS');
    expect(() => parseServicesFile(withBypassEnv('not a name'), 'services.yaml')).toThrow(/environment variable name/);
  });
});

function withBypassEnv(env: string): string {
  return servicesYaml([exampleServiceRaw({ vercel: { protectionBypassEnv: env } })]);
}

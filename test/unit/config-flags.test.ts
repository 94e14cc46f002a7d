/** The services file's `flags:`: what it accepts, its defaults, and the clear refusals. */
import { parseServicesFile } from '../../src/config/load-config';
import { exampleServiceRaw, servicesYaml } from '../support/services';

const flag = (overrides: Record<string, unknown> = {}) => ({
  name: 'ai-notes',
  description: 'AI-generated clinical notes',
  provider: 'edge-config',
  edgeConfig: { id: 'ecfg_abc123', key: 'ai-notes-enabled' },
  ...overrides,
});
const parse = (flags: unknown[]) => parseServicesFile(servicesYaml([exampleServiceRaw({ flags })]), 'test');
const problem = (flags: unknown[]): string => {
  try {
    parse(flags);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the services file was accepted');
};

describe('services file flags', () => {
  it('fills the defaults: on/off values, the token variable, read-back time, no features', () => {
    const [service] = parse([flag()]);
    expect(service?.flags).toEqual([
      {
        ...flag(),
        features: [],
        edgeConfig: { id: 'ecfg_abc123', key: 'ai-notes-enabled', tokenEnv: 'VERCEL_TOKEN' },
        values: { on: true, off: false },
        readBackSeconds: 30,
      },
    ]);
  });

  it('the shipped example has a flag, and a service without flags has none', () => {
    expect(parseServicesFile(servicesYaml([exampleServiceRaw()]), 'example')[0]?.flags[0]?.name).toBe('ai-notes');
    expect(parse([])[0]?.flags).toEqual([]);
  });

  it('takes a Vercel Flags flag with its off variant; environment and token default', () => {
    const vercel = { name: 'new-editor', description: 'the new note editor', provider: 'vercel-flags' };
    const [service] = parse([{ ...vercel, vercelFlags: { flag: 'new-editor', offVariant: 'off' } }]);
    expect(service?.flags[0]).toMatchObject({
      vercelFlags: { flag: 'new-editor', offVariant: 'off', environment: 'production', tokenEnv: 'VERCEL_TOKEN' },
    });
    expect(problem([{ ...vercel, vercelFlags: { flag: 'new-editor' } }])).toMatch(/offVariant/);
    expect(problem([{ ...vercel, edgeConfig: { id: 'ecfg_abc123', key: 'k' } }])).toMatch(/edgeConfig|vercelFlags/);
  });

  it('refuses a secret where a variable name belongs, a bad id, twin flags and equal on/off values', () => {
    const secret = { id: 'ecfg_abc123', key: 'k', tokenEnv: 'vcp_1234secret' };
    expect(problem([flag({ edgeConfig: secret })])).toMatch(/tokenEnv.*environment variable name/s);
    expect(problem([flag({ edgeConfig: { id: 'abc', key: 'k' } })])).toMatch(/Edge Config id such as ecfg_/);
    expect(problem([flag(), flag()])).toMatch(/duplicate flag "ai-notes"/);
    expect(problem([flag({ values: { on: 'yes', off: 'yes' } })])).toMatch(/values.on and values.off must differ/);
    expect(problem([flag({ provider: 'launchdarkly' })])).toMatch(/provider/);
  });
});

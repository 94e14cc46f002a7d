import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv, parseServicesFile } from '../../src/config/load-config';
import { findService } from '../../src/rollback/services';
import { RollbackError } from '../../src/rollback/errors';

const example = readFileSync(join(__dirname, '../../rollback.config.example.yaml'), 'utf8');

/** The commented block of the example that starts with `# <first>` (and the lines under it), uncommented. */
function uncommented(first: string): string {
  const lines = example.split('\n');
  const start = lines.findIndex((line) => line.trim() === `# ${first}`);
  const indent = lines[start]?.indexOf('#') ?? -1;
  if (start < 0 || indent < 0) throw new Error(`the example has no commented "${first}"`);
  const prefix = `${' '.repeat(indent)}#`;
  const block = [lines[start] ?? ''];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith(`${prefix}  `)) break;
    block.push(line);
  }
  return block.map((line) => line.replace(`${prefix} `, ' '.repeat(indent))).join('\n');
}

describe('services file', () => {
  it("the example's commented rollout and Vercel Flags flag are valid once uncommented", () => {
    const withRollout = example.replace('    autopilot: false', `${uncommented('rollout:')}\n    autopilot: false`);
    const withFlag = withRollout.replace(
      '        readBackSeconds: 30\n',
      `        readBackSeconds: 30\n${uncommented('- name: new-editor')}\n`,
    );
    const [service] = parseServicesFile(withFlag, 'example');
    expect(service?.rollout?.stages.map((s) => [s.percent, s.requireApproval])).toEqual([
      [10, false],
      [50, true],
      [100, false],
    ]);
    expect(service?.rollout?.stagingUrl).toBe('https://staging.dr-amal.com');
    expect(service?.flags.map((f) => [f.name, f.provider])).toEqual([
      ['ai-notes', 'edge-config'],
      ['new-editor', 'vercel-flags'],
    ]);
    // As shipped (commented), the runbook's default stages apply.
    expect(parseServicesFile(example, 'example')[0]?.rollout).toBeUndefined();
  });

  it('parses the shipped Dr Amal example with the runbook defaults filled in', () => {
    const [service] = parseServicesFile(example, 'example');
    expect(service?.name).toBe('dr-amal-clinical-os');
    expect(service?.vercel.rollbackMethod).toBe('instant-rollback');
    expect(service?.approvals.expireAfterMinutes).toBe(30);
    expect(service?.triggers.fiveXxRateMust).toBe(0.25);
    expect(service?.deployWindow).toEqual({ timeZone: 'America/New_York', start: '23:00', end: '05:00' });
    expect(Object.isFrozen(service?.roles.cto)).toBe(true);
  });

  it('names the field and what it expects when a value is wrong', () => {
    const broken = example
      .replace('cto: [U0CTO0001]', 'cto: [not-a-user]')
      .replace('timeZone: America/New_York\n      days', 'timeZone: Mars/Olympus\n      days');
    try {
      parseServicesFile(broken, 'rollback.config.yaml');
      throw new Error('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(RollbackError);
      const message = (error as RollbackError).message;
      expect(message).toContain('services.0.roles.cto.0: expected a Slack user id');
      expect(message).toContain('services.0.workingHours.timeZone: expected an IANA time zone');
    }
  });

  it('workingHours is optional, as README documents: Mon–Fri 09:00–18:00 America/New_York', () => {
    const without = example.replace(/\n {4}workingHours:\n( {6}.*\n)+/, '\n');
    expect(without).not.toContain('workingHours');
    expect(parseServicesFile(without, 'f')[0]?.workingHours).toEqual({
      timeZone: 'America/New_York',
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      start: '09:00',
      end: '18:00',
    });
  });

  it('refuses unknown fields, duplicate names and invalid YAML', () => {
    expect(() =>
      parseServicesFile(example.replace('autopilot: false', 'autopilot: false\n    autopilott: true'), 'f'),
    ).toThrow(/services\.0: Unrecognized key: "autopilott"/);
    const twice = `${example}\n${example.split('services:\n')[1]}`;
    expect(() => parseServicesFile(twice, 'f')).toThrow(/services\.1\.name: duplicate service name/);
    expect(() => parseServicesFile('services: [', 'f')).toThrow(/not valid YAML/);
  });

  it('finds services by name and lists the known ones otherwise', () => {
    const services = parseServicesFile(example, 'example');
    expect(findService(services, 'dr-amal-clinical-os').name).toBe('dr-amal-clinical-os');
    expect(() => findService(services, 'nope')).toThrow(RollbackError);
  });
});

describe('environment', () => {
  it('applies defaults and rejects a bad port', () => {
    const env = parseEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.ROLLBACK_CONFIG).toBe('./rollback.config.yaml');
    expect(() => parseEnv({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => parseEnv({ SLACK_API_URL: 'not a url' })).toThrow(/SLACK_API_URL/);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv, parseServicesFile } from '../../src/config/load-config';
import { findService } from '../../src/rollback/services';
import { RollbackError } from '../../src/rollback/errors';

const example = readFileSync(join(__dirname, '../../rollback.config.example.yaml'), 'utf8');

describe('services file', () => {
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

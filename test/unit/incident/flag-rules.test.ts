/** The pure parts of the kill switch: who may switch a flag, which flags an alert names, the parser, the counts. */
import { decideFlagAuthority } from '../../../src/rollback/incident/authority';
import { findFlag, flagsNamedBy } from '../../../src/rollback/incident/flag-switch';
import { flagsTurnedOff, flagsTurnedOn, incidentActions } from '../../../src/rollback/metrics/incident-actions';
import type { SlackUserId } from '../../../src/rollback/ids';
import { parseRollbackCommand } from '../../../src/slack/rollback-command';
import { exampleService } from '../../support/services';

const service = exampleService();
const roles = { devopsLead: ['U0LEAD'], onCall: ['U0ONCALL'], cto: ['U0CTO'], dba: ['U0DBA'] } as never;
const hours = {
  timeZone: 'America/New_York',
  days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const,
  start: '09:00',
  end: '18:00',
};
const decide = (actor: string, at: string) =>
  decideFlagAuthority({
    actor: actor as SlackUserId,
    roles,
    at: new Date(at),
    workingHours: hours as never,
    what: 'turn x off',
  });
const DAY = '2026-01-20T15:00:00Z';
const NIGHT = '2026-01-20T04:00:00Z';

describe("flag authority (a code rollback's: DevOps lead; after hours on-call, CTO notified)", () => {
  it('lets the DevOps lead at any time and the on-call engineer after hours only, with the CTO notice', () => {
    expect(decide('U0LEAD', DAY)).toMatchObject({ allowed: true, as: 'devopsLead', notifyCtoAsync: false });
    expect(decide('U0ONCALL', NIGHT)).toMatchObject({ allowed: true, as: 'onCall', notifyCtoAsync: true });
    expect(decide('U0ONCALL', DAY)).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/on-call engineer may outside/),
    });
    expect(decide('U0CTO', DAY)).toMatchObject({ allowed: false, roleNeeded: ['devopsLead'] });
    expect(decide('U0DBA', NIGHT)).toMatchObject({ allowed: false, roleNeeded: ['devopsLead', 'onCall'] });
  });
});

describe('which flags an alert names', () => {
  it('matches feature words, the name and the description as whole words, case-insensitively', () => {
    expect(flagsNamedBy(service, 'Error rate 14% on AI Notes endpoint').map((f) => f.name)).toEqual(['ai-notes']);
    expect(flagsNamedBy(service, 'column "aiGenerated" missing').map((f) => f.name)).toEqual(['ai-notes']);
    expect(flagsNamedBy(service, 'ai-notes 500s').map((f) => f.name)).toEqual(['ai-notes']);
    expect(flagsNamedBy(service, 'Sign-in failing; email notes broken')).toEqual([]);
    expect(flagsNamedBy(service, 'said: 5xx in the api')).toEqual([]);
  });

  it('answers an unknown flag with the flags the service has', () => {
    expect(() => findFlag(service, 'dark-mode')).toThrow(/no feature flag `dark-mode`/);
    expect(findFlag(service, 'AI-NOTES').name).toBe('ai-notes');
  });
});

describe('/rollback flag', () => {
  it('parses service, flag, state and reason; refuses a missing or wrong state and a plan of a flag', () => {
    expect(parseRollbackCommand('flag svc ai-notes OFF ai notes 500')).toEqual({
      ok: true,
      request: { kind: 'flag', service: 'svc', flag: 'ai-notes', state: 'off', reason: 'ai notes 500' },
    });
    expect(parseRollbackCommand('flag svc ai-notes')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/needs a service, a flag/),
    });
    expect(parseRollbackCommand('flag svc ai-notes disable')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/not `off` or `on`/),
    });
    expect(parseRollbackCommand('plan flag svc x off')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/does not apply/),
    });
    expect(parseRollbackCommand('flag svc x off revert')).toMatchObject({ ok: false });
  });
});

describe('incident actions that are not rollbacks', () => {
  it('counts flags turned off and on inside the period, apart from rollbacks', () => {
    const from = new Date('2026-01-01T00:00:00Z');
    const to = new Date('2026-01-31T00:00:00Z');
    const fact = (at: string, state: 'on' | 'off', incidentId?: string) => ({
      service: 's',
      flag: 'f',
      at: new Date(at),
      state,
      incidentId,
    });
    const facts = [
      fact('2026-01-05T00:00:00Z', 'off', 'INC-1'),
      fact('2026-01-06T00:00:00Z', 'on'),
      fact('2025-12-30T00:00:00Z', 'off'),
    ];
    expect(flagsTurnedOff(facts, from, to)).toBe(1);
    expect(flagsTurnedOn(facts, from, to)).toBe(1);
    expect(incidentActions(facts, from, to)).toMatchObject({
      flagsTurnedOff: 1,
      flagsTurnedOn: 1,
      outsideIncidents: 1,
    });
  });
});

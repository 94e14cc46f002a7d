import { RollbackError } from '../../../src/rollback/errors';
import type { SlackUserId } from '../../../src/rollback/ids';
import { approvalExpiresAt } from '../../../src/rollback/incident/approval-expiry';
import { decideApproval, decideAuthority, refusalError } from '../../../src/rollback/incident/authority';
import type { ApprovalRequest, ResolvedRoles, WorkingHoursWindow } from '../../../src/rollback/incident/authority';
import type { RollbackKind } from '../../../src/rollback/incident/plan';
import { isWithinWindow } from '../../../src/rollback/incident/time-window';
import { exampleService } from '../../support/services';

const id = (raw: string): SlackUserId => raw as SlackUserId;
const LEAD = id('U0LEAD');
const DBA = id('U0DBA');
const CTO = id('U0CTO');
const CTO2 = id('U0CTO2');
const ONCALL = id('U0ONCALL');
const GROUP_MEMBER = id('U0MEMBER');
const STRANGER = id('U0STRANGER');

// As the caller hands them over: the on-call user group S0ONCALL already expanded to its members.
const ROLES: ResolvedRoles = { devopsLead: [LEAD], dba: [DBA], cto: [CTO, CTO2], onCall: [ONCALL, GROUP_MEMBER] };
const HOURS: WorkingHoursWindow = {
  timeZone: 'America/New_York',
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  start: '09:00',
  end: '18:00',
};

const DURING = new Date('2026-01-16T15:00:00Z'); // Fri 10:00 EST
const AFTER = new Date('2026-01-17T03:00:00Z'); // Fri 22:00 EST
const WEEKEND = new Date('2026-01-17T17:00:00Z'); // Sat 12:00 EST

const decide = (action: RollbackKind, actor: SlackUserId, at: Date, roles: ResolvedRoles = ROLES) =>
  decideAuthority({ action, actor, roles, at, workingHours: HOURS });

describe('decideAuthority: code rollbacks (application, git Option A)', () => {
  it.each<[RollbackKind, SlackUserId, Date, string]>([
    ['application', LEAD, DURING, 'devopsLead'],
    ['application', LEAD, AFTER, 'devopsLead'],
    ['revert', LEAD, WEEKEND, 'devopsLead'],
    ['application', ONCALL, AFTER, 'onCall'],
    ['revert', ONCALL, WEEKEND, 'onCall'],
    ['application', GROUP_MEMBER, AFTER, 'onCall'],
  ])('%s by %s at %s is allowed as %s', (action, actor, at, as) => {
    const decision = decide(action, actor, at);
    expect(decision).toMatchObject({ allowed: true, as, mode: 'execute' });
    if (decision.allowed) expect(decision.approval).toBeUndefined();
  });

  it('lets the DevOps lead act alone without notifying the CTO, even after hours', () => {
    expect(decide('application', LEAD, AFTER)).toMatchObject({ notifyCtoAsync: false });
  });

  it('lets the on-call engineer act after hours and asks for a DM to the CTO', () => {
    expect(decide('application', ONCALL, AFTER)).toMatchObject({ allowed: true, as: 'onCall', notifyCtoAsync: true });
    expect(decide('revert', ONCALL, WEEKEND)).toMatchObject({ notifyCtoAsync: true });
  });

  it('refuses the on-call engineer during working hours and names the DevOps lead', () => {
    const decision = decide('application', ONCALL, DURING);
    expect(decision).toMatchObject({ allowed: false, roleNeeded: ['devopsLead'] });
    if (!decision.allowed) {
      expect(decision.reason).toBe(
        'During working hours (mon–fri 09:00–18:00 America/New_York) only the DevOps lead ' +
          'may execute an application rollback; the on-call engineer may outside them.',
      );
    }
  });

  it.each<[string, SlackUserId, Date, string[], RegExp]>([
    [
      'a stranger in hours',
      STRANGER,
      DURING,
      ['devopsLead'],
      /Only the DevOps lead may execute an application rollback during working hours/,
    ],
    [
      'a stranger after hours',
      STRANGER,
      AFTER,
      ['devopsLead', 'onCall'],
      /Only the DevOps lead or on-call engineer may execute an application rollback outside/,
    ],
    ['the DBA', DBA, DURING, ['devopsLead'], /Only the DevOps lead/],
    ['the CTO', CTO, DURING, ['devopsLead'], /Only the DevOps lead/],
  ])('refuses %s with the role needed', (_name, actor, at, roleNeeded, reason) => {
    const decision = decide('application', actor, at);
    expect(decision).toMatchObject({ allowed: false, roleNeeded });
    if (!decision.allowed) {
      expect(decision.reason).toMatch(reason);
      expect(decision.fix).toMatch(/^Ask the /);
    }
  });

  it.each([
    // Mon 2026-03-09: 08:30 EDT is 12:30Z, 09:30 EDT is 13:30Z (one hour earlier in UTC than in winter).
    ['day after spring forward, 08:30 EDT', '2026-03-09T12:30:00Z', true],
    ['day after spring forward, 09:30 EDT', '2026-03-09T13:30:00Z', false],
    ['spring forward night, 03:30 EDT Sunday', '2026-03-08T07:30:00Z', true],
    // Mon 2026-11-02: 08:30 EST is 13:30Z (would be 09:30 under EDT).
    ['day after fall back, 08:30 EST', '2026-11-02T13:30:00Z', true],
    ['day after fall back, 09:30 EST', '2026-11-02T14:30:00Z', false],
    ['Fri 2026-10-30 17:30 EDT', '2026-10-30T21:30:00Z', false],
    ['Fri 2026-10-30 18:00 EDT', '2026-10-30T22:00:00Z', true],
  ])('on-call across DST: %s -> allowed %s', (_name, iso, allowed) => {
    expect(decide('application', ONCALL, new Date(iso)).allowed).toBe(allowed);
  });

  it('only knows the ids it is given: an unexpanded user group does not let its members in', () => {
    const unexpanded: ResolvedRoles = { ...ROLES, onCall: [id('S0ONCALL')] };
    expect(decide('application', GROUP_MEMBER, AFTER, unexpanded).allowed).toBe(false);
    expect(decide('application', GROUP_MEMBER, AFTER, ROLES).allowed).toBe(true);
  });
});

describe('decideAuthority: git Option B and schema rollback need the CTO', () => {
  it.each<[RollbackKind, SlackUserId, Date, string, string]>([
    ['schema', LEAD, DURING, 'devopsLead', 'schema-rollback'],
    ['schema', DBA, DURING, 'dba', 'schema-rollback'],
    ['schema', ONCALL, DURING, 'onCall', 'schema-rollback'],
    ['reset', LEAD, AFTER, 'devopsLead', 'git-reset'],
    ['reset', ONCALL, AFTER, 'onCall', 'git-reset'],
  ])('%s requested by %s at %s: allowed to request as %s', (action, actor, at, as, approvalAction) => {
    expect(decide(action, actor, at)).toEqual({
      allowed: true,
      as,
      mode: 'request_approval',
      approval: { action: approvalAction, role: 'cto' },
      notifyCtoAsync: false,
    });
  });

  it.each<[RollbackKind, SlackUserId]>([
    ['schema', STRANGER],
    ['reset', STRANGER],
    ['schema', CTO],
  ])('refuses %s requested by %s and names the roles that may', (action, actor) => {
    const decision = decide(action, actor, DURING);
    expect(decision).toMatchObject({ allowed: false, roleNeeded: ['devopsLead', 'dba', 'onCall'] });
    if (!decision.allowed)
      expect(decision.reason).toMatch(/^Only the DevOps lead or database admin or on-call engineer may request a /);
  });
});

describe('decideApproval', () => {
  const requestedAt = new Date('2026-01-16T15:00:00Z');
  const pending: ApprovalRequest = {
    action: 'schema-rollback',
    requestedBy: LEAD,
    requestedAt,
    expiresAt: approvalExpiresAt(requestedAt, 30),
    decision: 'pending',
  };
  const at = new Date('2026-01-16T15:10:00Z');
  const approve = (over: Partial<Parameters<typeof decideApproval>[0]> = {}) =>
    decideApproval({ request: pending, approver: CTO, verdict: 'approve', roles: ROLES, at, ...over });

  it('lets a CTO who is not the requester approve or reject a pending request in time', () => {
    expect(approve()).toEqual({ allowed: true, decision: 'approved', as: 'cto' });
    expect(approve({ verdict: 'reject' })).toEqual({ allowed: true, decision: 'rejected', as: 'cto' });
    expect(approve({ at: new Date('2026-01-16T15:29:59.999Z') }).allowed).toBe(true);
  });

  it('refuses self-approval even from a CTO', () => {
    const outcome = approve({ request: { ...pending, requestedBy: CTO } });
    expect(outcome).toMatchObject({ allowed: false, refusal: 'self_approval', roleNeeded: 'cto' });
    expect(approve({ request: { ...pending, requestedBy: CTO }, approver: CTO2 }).allowed).toBe(true);
  });

  it.each([
    ['the DevOps lead', LEAD],
    ['the DBA', DBA],
    ['the on-call engineer', ONCALL],
    ['a stranger', STRANGER],
  ])('refuses %s as approver and names the CTO role', (_name, approver) => {
    const outcome = approve({ approver });
    expect(outcome).toMatchObject({ allowed: false, refusal: 'wrong_role', roleNeeded: 'cto', markExpired: false });
    if (!outcome.allowed) expect(outcome.reason).toBe('Only the CTO may approve a schema rollback.');
  });

  it('refuses an expired request at and after the deadline and asks to record the expiry once', () => {
    const expiredAt = new Date('2026-01-16T15:30:00Z');
    expect(approve({ at: expiredAt })).toMatchObject({ allowed: false, refusal: 'expired', markExpired: true });
    expect(approve({ at: expiredAt, verdict: 'reject' })).toMatchObject({ refusal: 'expired' });
    expect(approve({ request: { ...pending, decision: 'expired' }, at })).toMatchObject({
      refusal: 'expired',
      markExpired: false,
    });
  });

  it('says the request expired before checking who pressed the button', () => {
    expect(approve({ approver: STRANGER, at: new Date('2026-01-16T16:00:00Z') })).toMatchObject({ refusal: 'expired' });
  });

  it.each(['approved', 'rejected'] as const)('refuses a second decision on a request already %s', (decision) => {
    const outcome = approve({ request: { ...pending, decision } });
    expect(outcome).toMatchObject({ allowed: false, refusal: 'already_decided' });
    if (!outcome.allowed) expect(outcome.reason).toBe(`This request was already ${decision}.`);
  });
});

describe('refusalError', () => {
  it('turns refusals into typed errors the Slack layer can render', () => {
    const roleRefusal = decide('application', STRANGER, DURING);
    if (roleRefusal.allowed) throw new Error('expected a refusal');
    const error = refusalError(roleRefusal);
    expect(error).toBeInstanceOf(RollbackError);
    expect(error.code).toBe('forbidden');
    expect(error.details).toMatchObject({ roleNeeded: ['devopsLead'] });
    expect(error.explain()).toMatch(/Only the DevOps lead .* Ask the DevOps lead to run the command\./);

    const lapsed = decideApproval({
      request: { action: 'git-reset', requestedBy: LEAD, requestedAt: DURING, expiresAt: DURING, decision: 'pending' },
      approver: CTO,
      verdict: 'approve',
      roles: ROLES,
      at: DURING,
    });
    if (lapsed.allowed) throw new Error('expected a refusal');
    expect(refusalError(lapsed).code).toBe('conflict');
  });
});

describe('with the parsed services file', () => {
  it('takes workingHours, deployWindow and approvals straight from ServiceConfig', () => {
    const service = exampleService({ approvals: { expireAfterMinutes: 10 } });
    const roles: ResolvedRoles = { ...service.roles, onCall: [ONCALL] } as unknown as ResolvedRoles;
    const base = { action: 'application' as const, actor: ONCALL, roles, workingHours: service.workingHours };
    expect(decideAuthority({ ...base, at: DURING }).allowed).toBe(false);
    expect(decideAuthority({ ...base, at: AFTER })).toMatchObject({ allowed: true, notifyCtoAsync: true });
    expect(isWithinWindow(service.deployWindow, AFTER)).toBe(false);
    expect(isWithinWindow(service.deployWindow, new Date('2026-01-17T04:30:00Z'))).toBe(true);
    expect(approvalExpiresAt(DURING, service.approvals.expireAfterMinutes).getTime() - DURING.getTime()).toBe(
      10 * 60_000,
    );
  });
});

/**
 * The pure parts of detection: what the bot does for each verdict (respond),
 * the autopilot actor's authority, the Monitor choice, the episode's times,
 * the fold of notifications, and the job list refusing an interval cron
 * cannot repeat evenly.
 */
import { detectionJobs } from '../../src/watch/jobs';
import { silentLogger } from '../../src/logger';
import { foldSignal, stateFromSignal } from '../../src/rollback/detection/alert-state';
import type { DetectionRecord } from '../../src/rollback/detection/detection-record';
import { chooseMonitor } from '../../src/rollback/detection/monitor';
import { type RespondInput, respond } from '../../src/rollback/detection/respond';
import type { SlackUserId } from '../../src/rollback/ids';
import { AUTOPILOT_ACTOR, decideAuthority, type ResolvedRoles } from '../../src/rollback/incident/authority';
import type { EngineDeps } from '../../src/rollback/incident/engine-deps';
import type { Db } from '../../src/store/pool';
import { signal, T0, at } from '../unit/signals/builders';
import { exampleService } from '../support/services';

const now = new Date('2026-01-20T15:00:00Z');
const must = { verdict: 'must' as const, rule: 'auth_broken' as const, reason: 'auth completely broken' };
const should = { verdict: 'should' as const, rule: 'feature_error_rate' as const, reason: 'feature "x" 15%' };
const may = { verdict: 'may' as const, rule: 'other_alerts' as const, reason: 'UI bug' };
const ok = { verdict: 'ok' as const, reason: 'No trigger fired.' };

function record(overrides: Partial<DetectionRecord> = {}): DetectionRecord {
  return {
    id: '1',
    service: 'svc',
    status: 'open',
    level: 'may',
    reason: 'r',
    since: now,
    openedAt: now,
    updatedAt: now,
    proposalPosted: false,
    askedAgain: 0,
    ...overrides,
  };
}

const input = (overrides: Partial<RespondInput>): RespondInput => ({
  now,
  evaluation: ok,
  previous: {},
  autopilot: false,
  firingAlerts: 1,
  ...overrides,
});
const kinds = (overrides: Partial<RespondInput>): string[] => respond(input(overrides)).map((a) => a.kind);

describe('respond: what the bot does about a verdict', () => {
  it(
    'with no incident: MUST rolls back on autopilot or asks; SHOULD asks; MAY ' + 'proposes; ok and no data do nothing',
    () => {
      expect(kinds({ evaluation: must, autopilot: true })).toEqual(['open_detection', 'autopilot_rollback']);
      expect(kinds({ evaluation: must })).toEqual(['open_detection', 'ask']);
      expect(respond(input({ evaluation: should, autopilot: true }))).toContainEqual({
        kind: 'ask',
        severity: 'should',
      });
      expect(kinds({ evaluation: may })).toEqual(['open_detection', 'propose']);
      expect(kinds({ evaluation: ok })).toEqual([]);
      expect(kinds({ evaluation: { verdict: 'inconclusive', reason: 'no data' } })).toEqual([]);
    },
  );

  it('never opens a second incident in an episode that had one, nor re-posts a MAY', () => {
    const done = record({ level: 'must', incident: { id: 'INC-1', origin: 'detection' } });
    expect(
      kinds({ evaluation: must, autopilot: true, detection: done, previous: { verdict: 'must', rule: 'auth_broken' } }),
    ).toEqual([]);
    const posted = record({ proposalPosted: true });
    expect(kinds({ evaluation: may, detection: posted, previous: { verdict: 'may', rule: 'other_alerts' } })).toEqual(
      [],
    );
    expect(
      kinds({ evaluation: should, detection: posted, previous: { verdict: 'may', rule: 'other_alerts' } }),
    ).toEqual(['update_detection', 'ask']);
  });

  it('ends the episode once every alert resolved and nothing fires', () => {
    expect(respond(input({ evaluation: ok, firingAlerts: 0, detection: record({ proposalPosted: true }) }))).toEqual([
      { kind: 'end_detection', reason: 'every alert resolved on its own, without an incident' },
    ]);
    expect(kinds({ evaluation: ok, firingAlerts: 1, detection: record() })).toEqual([]);
  });

  it(
    'with an open incident: notes a change, takes over at the question on a MUST with ' +
      'autopilot, never opens another',
    () => {
      const incident = { id: 'INC-2', hasSteps: false, severity: 'should' as const };
      const linked = record({ level: 'should', incident: { id: 'INC-2', origin: 'detection' } });
      expect(
        kinds({
          evaluation: must,
          autopilot: true,
          incident,
          detection: linked,
          previous: { verdict: 'should', rule: 'feature_error_rate' },
        }),
      ).toEqual(['note', 'update_detection', 'autopilot_take_over']);
      expect(
        kinds({
          evaluation: must,
          incident,
          detection: linked,
          previous: { verdict: 'should', rule: 'feature_error_rate' },
        }),
      ).toEqual(['note', 'update_detection', 'raise_severity']);
      expect(
        kinds({
          evaluation: must,
          autopilot: true,
          incident: { ...incident, hasSteps: true },
          detection: { ...linked, level: 'must' },
          previous: { verdict: 'must', rule: 'auth_broken' },
        }),
      ).toEqual([]);
      expect(kinds({ evaluation: must, incident: { id: 'INC-9', hasSteps: true } })).toEqual([
        'note',
        'open_detection',
      ]);
    },
  );

  it('asks again only when a Monitor window is over and the trigger still fires', () => {
    const incident = { id: 'INC-3', hasSteps: false, severity: 'should' as const };
    const watching = (until: Date) =>
      record({
        level: 'should',
        incident: { id: 'INC-3', origin: 'detection' },
        monitor: { by: 'U1', at: now, until },
      });
    const same = { verdict: 'should' as const, rule: 'feature_error_rate' as const };
    expect(
      kinds({ evaluation: should, incident, detection: watching(new Date(now.getTime() + 1)), previous: same }),
    ).toEqual([]);
    expect(kinds({ evaluation: should, incident, detection: watching(now), previous: same })).toEqual(['ask_again']);
  });

  it('closes an incident it opened (or that is monitored) when every alert resolved; never a person’s own', () => {
    const incident = { id: 'INC-4', hasSteps: false };
    const mine = record({ incident: { id: 'INC-4', origin: 'detection' } });
    const theirs = record({ incident: { id: 'INC-4', origin: 'joined' } });
    expect(kinds({ evaluation: ok, firingAlerts: 0, incident, detection: mine })).toEqual([
      'close_recovered',
      'end_detection',
    ]);
    expect(
      kinds({
        evaluation: { verdict: 'inconclusive', reason: '' },
        firingAlerts: 0,
        incident,
        detection: mine,
        previous: { verdict: 'inconclusive' },
      }),
    ).toEqual(['close_recovered', 'end_detection']);
    expect(kinds({ evaluation: ok, firingAlerts: 0, incident, detection: theirs })).toEqual([]);
    expect(
      kinds({
        evaluation: ok,
        firingAlerts: 0,
        incident,
        detection: { ...theirs, monitor: { by: 'U1', at: now, until: now } },
      }),
    ).toEqual(['close_recovered', 'end_detection']);
    expect(
      kinds({ evaluation: ok, firingAlerts: 0, incident: { ...incident, hasSteps: true }, detection: mine }),
    ).toEqual([]);
    expect(kinds({ evaluation: ok, firingAlerts: 1, incident, detection: mine })).toEqual([]);
  });
});

describe('authority of the autopilot actor', () => {
  const roles: ResolvedRoles = {
    devopsLead: ['U0DEVOPS1' as SlackUserId],
    dba: [],
    cto: ['U0CTO0001' as SlackUserId],
    onCall: [],
  };
  const hours = {
    timeZone: 'America/New_York',
    days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const,
    start: '09:00',
    end: '18:00',
  };
  const decide = (action: 'application' | 'revert' | 'reset' | 'schema', autopilot: boolean | undefined) =>
    decideAuthority({ action, actor: AUTOPILOT_ACTOR, roles, at: now, workingHours: hours, autopilot });

  it('may execute an application rollback only when the service turned autopilot on', () => {
    expect(decide('application', true)).toMatchObject({ allowed: true, as: 'autopilot', mode: 'execute' });
    expect(decide('application', false)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('Autopilot is off'),
    });
    expect(decide('application', undefined)).toMatchObject({ allowed: false });
  });

  it('never executes a git revert, reset or schema rollback', () => {
    for (const action of ['revert', 'reset', 'schema'] as const)
      expect(decide(action, true)).toMatchObject({
        allowed: false,
        reason: expect.stringContaining('application rollbacks only'),
      });
  });

  it('leaves people’s authority as it was', () => {
    expect(
      decideAuthority({
        action: 'application',
        actor: 'U0DEVOPS1' as SlackUserId,
        roles,
        at: now,
        workingHours: hours,
        autopilot: true,
      }),
    ).toMatchObject({ allowed: true, as: 'devopsLead' });
  });
});

describe('Monitor', () => {
  const open = { id: 'INC-5', state: 'open' as const, hasSteps: false };
  it('asks again after 10 minutes by default', () => {
    expect(chooseMonitor({ incident: open, by: 'U1', at: now }).until).toEqual(new Date(now.getTime() + 600_000));
  });
  it('is refused once the rollback runs, a hotfix is claimed, or the incident is closed', () => {
    expect(() => chooseMonitor({ incident: { ...open, hasSteps: true }, by: 'U1', at: now })).toThrow(
      /already under way/,
    );
    expect(() =>
      chooseMonitor({
        incident: {
          ...open,
          question: { status: 'hotfix_claimed', round: 1, claimedBy: 'U1' as SlackUserId, claimedAt: now },
        },
        by: 'U1',
        at: now,
      }),
    ).toThrow(/hotfix is claimed/);
    expect(() => chooseMonitor({ incident: { ...open, state: 'resolved' }, by: 'U1', at: now })).toThrow(
      /nothing left to monitor/,
    );
  });
});

describe('alert states', () => {
  it('folds repeats: the newest decides, every firing one counts', () => {
    let state = stateFromSignal(signal({ at: T0, value: 0.3 }));
    state = foldSignal(state, signal({ at: at(10), value: 0.5 }));
    state = foldSignal(state, signal({ at: at(5), value: 0.9 }));
    expect(state).toMatchObject({ repeats: 3, value: 0.5, firstSeenAt: T0, lastSeenAt: at(10), firing: true });
    state = foldSignal(state, signal({ at: at(20), firing: false }));
    expect(state).toMatchObject({ repeats: 3, firing: false, resolvedAt: at(20) });
  });
});

describe('detect jobs', () => {
  const engine = {} as EngineDeps;
  it('run every evaluationIntervalSeconds on the cron slots', () => {
    const jobs = detectionJobs({ services: [exampleService()], db: {} as Db, engine, logger: silentLogger });
    expect(jobs.map((j) => [j.name, j.cron])).toEqual([['detect:dr-amal-clinical-os', '*/30 * * * * *']]);
    expect(
      detectionJobs({
        services: [exampleService({ triggers: { evaluationIntervalSeconds: 120 } })],
        db: {} as Db,
        engine,
        logger: silentLogger,
      })[0]?.cron,
    ).toBe('*/2 * * * *');
  });

  it('refuse an interval cron cannot repeat evenly, naming the field', () => {
    expect(() =>
      detectionJobs({
        services: [exampleService({ triggers: { evaluationIntervalSeconds: 45 } })],
        db: {} as Db,
        engine,
        logger: silentLogger,
      }),
    ).toThrow(/services\.0\.triggers\.evaluationIntervalSeconds \(dr-amal-clinical-os\) is 45/);
  });
});

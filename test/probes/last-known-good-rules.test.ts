/** The pure last-known-good rules: promotion, serving now, the default rollback target, the request path. */
import { defaultRollbackTarget } from '../../src/rollback/last-known-good/rollback-target';
import { lastKnownGoodDecision, servingNow } from '../../src/rollback/last-known-good/rules';
import type { DeploymentRecord } from '../../src/rollback/ports/incident-store';
import { chooseDefaultTarget } from '../../src/rollback/incident/request-rollback';
import type { IncidentStore } from '../../src/rollback/ports/incident-store';
import { exampleService } from '../support/services';

const T0 = new Date('2026-01-20T10:00:00Z');
const minutes = (m: number): Date => new Date(T0.getTime() + m * 60_000);
const dep = (id: string, extra: Partial<DeploymentRecord> = {}): DeploymentRecord => ({
  service: 'svc',
  deploymentId: id,
  ...extra,
});

describe('last known good', () => {
  const serving = dep('dpl_new', { version: '2.0.0', commitSha: 'b90de38f', servedFrom: minutes(0) });

  it('promotes the serving deployment once it has served long enough without an incident', () => {
    expect(lastKnownGoodDecision({ serving, incidents: [], now: minutes(59), afterMinutes: 60 })).toMatchObject({
      promote: false,
      reason: expect.stringMatching(/served 59 of 60 minutes/),
    });
    const decision = lastKnownGoodDecision({
      serving,
      incidents: [{ id: 'INC-OLD', openedAt: minutes(-10), open: false }],
      now: minutes(60),
      afterMinutes: 60,
    });
    expect(decision).toMatchObject({ promote: true, deployment: { deploymentId: 'dpl_new' } });
    expect(decision.reason).toMatch(/2\.0\.0 \(commit b90de38, dpl_new\) is now last known good/);
  });

  it(
    'does not promote after an incident opened while it served, while one is open, ' + 'twice, or with nothing serving',
    () => {
      expect(
        lastKnownGoodDecision({
          serving,
          incidents: [{ id: 'INC-1', openedAt: minutes(5), open: false }],
          now: minutes(120),
          afterMinutes: 60,
        }),
      ).toMatchObject({
        promote: false,
        reason: expect.stringMatching(/INC-1 was opened while/),
      });
      expect(
        lastKnownGoodDecision({
          serving,
          incidents: [{ id: 'INC-2', openedAt: minutes(-5), open: true }],
          now: minutes(120),
          afterMinutes: 60,
        }).promote,
      ).toBe(false);
      expect(
        lastKnownGoodDecision({
          serving: { ...serving, lastKnownGoodAt: minutes(61) },
          incidents: [],
          now: minutes(120),
          afterMinutes: 60,
        }).promote,
      ).toBe(false);
      expect(
        lastKnownGoodDecision({ serving: undefined, incidents: [], now: minutes(120), afterMinutes: 60 }).promote,
      ).toBe(false);
    },
  );

  it('serving now is the latest to start that has not stopped', () => {
    const list = [
      dep('a', { servedFrom: minutes(0), servedUntil: minutes(10) }),
      dep('b', { servedFrom: minutes(10) }),
      dep('c', { servedFrom: minutes(-100) }),
      dep('d'),
    ];
    expect(servingNow(list)?.deploymentId).toBe('b');
    expect(servingNow([dep('d')])).toBeUndefined();
  });

  it('the default target is the newest last known good that is not serving now', () => {
    const list = [
      dep('serving', { servedFrom: minutes(100), lastKnownGoodAt: minutes(160) }),
      dep('bad', { servedFrom: minutes(50), servedUntil: minutes(100) }),
      dep('good-new', { servedFrom: minutes(20), servedUntil: minutes(50), lastKnownGoodAt: minutes(40) }),
      dep('good-old', { servedFrom: minutes(0), servedUntil: minutes(20), lastKnownGoodAt: minutes(10) }),
    ];
    expect(defaultRollbackTarget(list)?.deploymentId).toBe('good-new');
    expect(defaultRollbackTarget([...list].reverse())?.deploymentId).toBe('good-new');
    expect(
      defaultRollbackTarget(list.filter((d) => d.deploymentId !== 'good-new' && d.deploymentId !== 'good-old')),
    ).toBeUndefined();
  });
});

describe('chooseDefaultTarget (the request path)', () => {
  const recorded = [
    dep('serving', { servedFrom: minutes(60) }),
    dep('lkg', { servedFrom: minutes(0), servedUntil: minutes(60), lastKnownGoodAt: minutes(30) }),
  ];
  const asked: string[] = [];
  const store = {
    deployments: (service: string) => {
      asked.push(service);
      return Promise.resolve(recorded);
    },
  } as unknown as IncidentStore;
  const service = exampleService();
  const deps = { store, liveReleases: { live: async () => undefined } };

  it('fills in the last known good only for an application rollback that names no target', async () => {
    expect((await chooseDefaultTarget(deps, service, { kind: 'application' }))?.deploymentId).toBe('lkg');
    expect(asked).toEqual([service.name]);
    expect(await chooseDefaultTarget(deps, service, { kind: 'application', target: 'dpl_named' })).toBeUndefined();
    expect(await chooseDefaultTarget(deps, service, { kind: 'revert', target: 'b7920c6' })).toBeUndefined();
    expect(asked).toHaveLength(1);
  });
});

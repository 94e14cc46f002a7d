/**
 * The runbook's decision tree in an incident, on the in-memory store: the
 * hotfix question, its five-minute timer, "Roll back now" (gated like
 * /rollback) adding the rollback once, and the outage drafts after 15 minutes.
 */
import {
  addApplicationRollback,
  answerHotfix,
  askAgainAfterHotfixWindow,
  openQuestionIncident,
} from '../../../src/rollback/incident/hotfix';
import { announceLongOutages } from '../../../src/rollback/incident/outage-drafts-due';
import type { HotfixAnswer } from '../../../src/rollback/incident/hotfix';
import {
  AFTER_HOURS,
  PEOPLE,
  SERVICE,
  as,
  engineWorld,
  runAll,
  type EngineWorld as World,
} from '../../support/engine/engine-world';

jest.mock('pg', () => {
  throw new Error('The engine decision tests must not reach PostgreSQL.');
});

const MINUTE = 60_000;
const openQuestion = async (world: World) =>
  (
    await openQuestionIncident(world.deps, {
      service: SERVICE,
      issue: 'Error rate 12%',
      trigger: 'Grafana alert',
      actor: 'alert:grafana',
    })
  ).incident;
const say = (world: World, incidentId: string, actor: string, answer: HotfixAnswer) =>
  answerHotfix(world.deps, { incidentId, actor: as(actor), answer });
const hotfixOf = async (world: World, incidentId: string) =>
  (await world.store.getIncident(incidentId))?.data.hotfix as Record<string, unknown>;

describe('the hotfix question', () => {
  it('opens an incident that asks first: no steps, the DevOps lead owns it, announced once', async () => {
    const world = engineWorld();
    const incident = await openQuestion(world);
    expect(incident).toMatchObject({
      id: 'INC-20260120-0001',
      state: 'open',
      data: { owner: PEOPLE.devopsLead, hotfix: { status: 'asked', round: 1 } },
    });
    expect(await world.store.steps(incident.id)).toEqual([]);
    expect(world.announced).toEqual([incident.id]);
    const again = await openQuestionIncident(world.deps, {
      service: SERVICE,
      issue: 'again',
      trigger: 'x',
      actor: 'alert:grafana',
    });
    expect(again.created).toBe(false);
    expect(world.announced).toEqual([incident.id]);
  });

  it('asks again, proposing the rollback, once a hotfix claim is five minutes old', async () => {
    const world = engineWorld();
    const incident = await openQuestion(world);
    await say(world, incident.id, PEOPLE.onCall, 'hotfix');
    expect(await hotfixOf(world, incident.id)).toMatchObject({ status: 'hotfix_claimed', claimedBy: PEOPLE.onCall });
    world.clock.advance(5 * MINUTE - 1);
    expect(
      await askAgainAfterHotfixWindow(world.deps, await world.store.listIncidents({ openOnly: true, limit: 5 })),
    ).toBe(0);
    world.clock.advance(1);
    expect(
      await askAgainAfterHotfixWindow(world.deps, await world.store.listIncidents({ openOnly: true, limit: 5 })),
    ).toBe(1);
    expect(await hotfixOf(world, incident.id)).toMatchObject({ status: 'asked', round: 2 });
    expect(await world.kinds(incident.id)).toEqual(['opened', 'decision_hotfix', 'decision_asked_again']);
  });

  it('refuses someone with no role of the service an answer, with the refusal on the incident', async () => {
    const world = engineWorld();
    const incident = await openQuestion(world);
    await expect(say(world, incident.id, PEOPLE.stranger, 'hotfix')).rejects.toThrow(/answer the hotfix question/);
    expect(await world.kinds(incident.id)).toEqual(['opened', 'refused']);
  });

  it('"Roll back now" by the DevOps lead adds the rollback to last known good, which runs to the end', async () => {
    const world = engineWorld();
    await world.store.recordDeployment({
      service: SERVICE,
      deploymentId: 'dpl_good',
      servedFrom: new Date('2026-01-18T10:00:00Z'),
      servedUntil: new Date('2026-01-20T14:00:00Z'),
    });
    await world.store.markLastKnownGood(SERVICE, 'dpl_good', new Date('2026-01-18T11:00:00Z'));
    const incident = await openQuestion(world);
    world.clock.advance(2 * MINUTE);
    await say(world, incident.id, PEOPLE.devopsLead, 'rollback_now');
    const steps = await world.store.steps(incident.id);
    expect(steps.map((s) => [s.kind, s.input.target])).toEqual([
      ['application', 'dpl_good'],
      ['verification', 'dpl_good'],
    ]);
    expect(await world.store.getIncident(incident.id)).toMatchObject({
      decidedAt: world.clock.now(),
      data: { owner: PEOPLE.devopsLead, hotfix: { status: 'rollback_chosen' } },
    });
    expect(world.wakes()).toBe(1);
    expect(await runAll(world.deps)).toBe(2);
    expect(await world.store.getIncident(incident.id)).toMatchObject({ state: 'resolved' });
  });

  it('adds the rollback only once, whoever presses second', async () => {
    const world = engineWorld();
    const incident = await openQuestion(world);
    await say(world, incident.id, PEOPLE.devopsLead, 'rollback_now');
    expect(await addApplicationRollback(world.deps, incident)).toBe(false);
    await say(world, incident.id, PEOPLE.devopsLead, 'rollback_now');
    expect(await world.store.steps(incident.id)).toHaveLength(2);
  });

  it('gates "Roll back now" like /rollback: on-call refused in hours, allowed after hours, CTO told', async () => {
    const day = engineWorld();
    const incident = await openQuestion(day);
    await expect(say(day, incident.id, PEOPLE.onCall, 'rollback_now')).rejects.toThrow(
      /only the DevOps lead may execute/i,
    );
    expect(await day.store.steps(incident.id)).toEqual([]);
    const night = engineWorld({ at: AFTER_HOURS });
    const late = await openQuestion(night);
    await say(night, late.id, PEOPLE.onCall, 'rollback_now');
    expect(night.ctoNotices).toHaveLength(1);
    expect(await night.kinds(late.id)).toContain('cto_notified');
  });

  it('refuses answers on a closed incident', async () => {
    const world = engineWorld();
    const incident = await openQuestion(world);
    await world.store.moveIncident(incident.id, 'open', 'cancelled');
    await expect(say(world, incident.id, PEOPLE.devopsLead, 'hotfix_done')).rejects.toThrow(
      /cancelled; its buttons no longer do anything/,
    );
  });
});

describe('outage drafts', () => {
  it('announces an incident again once its outage passed 15 minutes, not after the drafts were posted', async () => {
    const world = engineWorld();
    const incident = await openQuestion(world);
    world.announced.length = 0;
    const open = async () => world.store.listIncidents({ openOnly: true, limit: 5 });
    world.clock.advance(15 * MINUTE);
    expect(await announceLongOutages(world.deps, await open())).toBe(0);
    world.clock.advance(1);
    expect(await announceLongOutages(world.deps, await open())).toBe(1);
    await world.store.updateIncident(incident.id, { data: { draftsPosted: true } });
    expect(await announceLongOutages(world.deps, await open())).toBe(0);
    expect(world.announced).toEqual([incident.id]);
  });
});

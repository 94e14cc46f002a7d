/**
 * Issue 16 item 1, over HTTP with the stand-ins and real PostgreSQL: every
 * path that starts, approves, rejects or changes a rollback goes through one
 * authority gate. "Roll back now" follows the runbook's decision matrix (a
 * DBA or the on-call engineer may not execute in working hours; after hours
 * the on-call engineer may, and the CTO gets a notice), and every action id,
 * slash subcommand and view callback the app registers refuses a stranger
 * with the gate's answer and a `refused` timeline entry naming the gate.
 */
import { createDetectionStore } from '../../src/watch/detection-store';
import { silentLogger } from '../../src/logger';
import { openQuestionIncident } from '../../src/rollback/incident/hotfix';
import * as ids from '../../src/slack/action-ids';
import { snoozeValue, tickBlockId } from '../../src/slack/blocks/follow-up-checklist';
import { recordRegistrations } from '../support/registrations';
import { createDb } from '../../src/store/pool';
import { snooze, tick } from '../post-rollback/support';
import { SERVICE, type World, useWorld } from '../support/incident-world';
import { createReleaseStore } from '../../src/store/release-store';
import { INITIAL_GUARD_STATE } from '../../src/rollback/release/guard';
import type { ServiceName, SlackUserId } from '../../src/rollback/ids';

/** The ids the listeners really register, recorded on a fake app. */
const registered = (): { action: string[]; command: string[]; view: string[] } => recordRegistrations();

async function refusals(world: World, incidentId?: string): Promise<{ kind: string; data: Record<string, unknown> }[]> {
  const store = world.bot.bot.engine.deps.store;
  const entries = incidentId ? await store.timeline(incidentId) : [];
  return entries.filter((e) => e.kind.endsWith('refused'));
}

const answerOf = async (world: World, responseId: string): Promise<string> =>
  JSON.stringify((await world.slack.waitForResponse((p) => p.id === responseId, 10_000)).body);

describe('"Roll back now" in working hours (Tuesday 10:00 New York)', () => {
  const ctx = useWorld('e2e_gate_hours');

  it('refuses the DBA and the on-call engineer, as /rollback does, and moves nothing', async () => {
    const { world } = ctx;
    const { incident } = await openQuestionIncident(world.bot.bot.engine.deps, {
      service: SERVICE,
      issue: 'Error rate 12%',
      trigger: 'Grafana alert',
      actor: 'alert:grafana',
    });
    for (const user of ['U0DBADMIN', 'U0ONCALL1']) {
      await world.bot.sender.blockAction({
        userId: user,
        actionId: ids.ROLLBACK_NOW,
        value: incident.id,
        responseId: `now-${user}`,
      });
      expect(await answerOf(world, `now-${user}`)).toMatch(/only the DevOps lead may execute an application rollback/i);
    }
    expect(await world.bot.bot.engine.deps.store.steps(incident.id)).toHaveLength(0);
    expect((await refusals(world, incident.id)).map((r) => r.data.gate)).toEqual(['execute', 'execute']);
    expect(world.vercel.state.count('POST', '/rollback/')).toBe(0);
  });
});

describe('"Roll back now" after hours (Monday 22:00 New York)', () => {
  const ctx = useWorld('e2e_gate_night', { at: '2026-01-20T03:00:00Z' });

  it('lets the on-call engineer execute and sends the CTO the asynchronous notice', async () => {
    const { world } = ctx;
    const { incident } = await openQuestionIncident(world.bot.bot.engine.deps, {
      service: SERVICE,
      issue: 'Sign-in failing',
      trigger: 'Grafana alert',
      actor: 'alert:grafana',
    });
    await world.bot.sender.blockAction({
      userId: 'U0ONCALL1',
      actionId: ids.ROLLBACK_NOW,
      value: incident.id,
      responseId: 'now-oncall',
    });
    await world.waitForPost('ROLLBACK COMPLETE', 20_000);
    await world.slack.waitForCall(
      (c) => c.method === 'conversations.open' && String(c.params.users).includes('U0CTO0001'),
      10_000,
    );
    const kinds = (await world.bot.bot.engine.deps.store.timeline(incident.id)).map((t) => t.kind);
    expect(kinds).toContain('cto_notified');
  });
});

describe('every registered action, slash subcommand and view callback goes through the gate', () => {
  const ctx = useWorld('e2e_gate_all');

  it('refuses a stranger on each, with the gate named on the timeline, and changes nothing', async () => {
    const { world } = ctx;
    const stranger = 'U0NOBODY1';
    // An open incident with a pending CTO approval (git reset), and a MAY proposal without an incident.
    await world.bot.sender.slashCommand({
      text: `reset ${SERVICE} ${world.history.goodCommit} bad release`,
      userId: 'U0DEVOPS1',
    });
    const deps = world.bot.bot.engine.deps;
    const incident = await deps.store.findOpenIncident(SERVICE);
    if (!incident) throw new Error('the reset request opened no incident');
    const [approval] = await deps.store.approvalsFor(incident.id);
    if (!approval) throw new Error('the reset request asked for no approval');
    const db = createDb(ctx.database.url, silentLogger, 2);
    const { detection } = await createDetectionStore(db).openDetection({
      service: SERVICE,
      level: 'may',
      reason: 'p95 latency up 30%',
      since: deps.clock.now(),
      openedAt: deps.clock.now(),
    });
    // A release under way, paused (Continue and Abort answer), for the release buttons to name.
    const now = deps.clock.now();
    const release = await createReleaseStore(db).create({
      ...{ id: 'REL-GATE', service: SERVICE as ServiceName, state: 'paused', stageIndex: 0 },
      ...{ stageStartedAt: now, startedAt: now },
      canary: { id: world.history.bad.id, url: world.history.bad.url },
      base: { id: world.history.good.id, url: world.history.good.url },
      stages: [10, 100].map((percent) => ({ percent, watchMinutes: 30, requireApproval: false })),
      requestedBy: 'U0DEVOPS1' as SlackUserId,
      triggerState: INITIAL_GUARD_STATE,
      overrides: [],
    });
    await db.close();

    const responseUrl = (id: string) => world.slack.responseUrl(id);
    const button = (actionId: string, value: string) => async (responseId: string) =>
      void (await world.bot.sender.blockAction({ userId: stranger, actionId, value, responseId }));
    /** One click per registered action id, each naming a real object, so only the gate can refuse it. */
    const clicks: Record<string, (responseId: string) => Promise<void>> = {
      [ids.APPROVE]: button(ids.APPROVE, approval.id),
      [ids.REJECT]: button(ids.REJECT, approval.id),
      [ids.HOTFIX]: button(ids.HOTFIX, incident.id),
      [ids.HOTFIX_DONE]: button(ids.HOTFIX_DONE, incident.id),
      [ids.ROLLBACK_NOW]: button(ids.ROLLBACK_NOW, incident.id),
      [ids.MONITOR]: button(ids.MONITOR, incident.id),
      [ids.OPEN_INCIDENT]: button(ids.OPEN_INCIDENT, detection.id),
      [ids.UNPIN]: button(ids.UNPIN, `${SERVICE}|${incident.id}|${world.history.good.id}`),
      [ids.DISABLE_FLAG]: button(ids.DISABLE_FLAG, `${incident.id}|ai-notes`),
      [ids.FOLLOW_UP_TICK]: async () =>
        void (await tick(world.bot.sender, responseUrl, {
          userId: stranger,
          blockId: tickBlockId(incident.id, '1h'),
          selected: [],
        })),
      [ids.FOLLOW_UP_SNOOZE]: async () =>
        void (await snooze(world.bot.sender, responseUrl, {
          userId: stranger,
          value: snoozeValue(incident.id, 'verify_health', '1h'),
        })),
      [ids.RELEASE_ABORT]: button(ids.RELEASE_ABORT, release.id),
      [ids.RELEASE_CONTINUE]: button(ids.RELEASE_CONTINUE, release.id),
      [ids.RELEASE_APPROVE]: button(ids.RELEASE_APPROVE, release.id),
    };
    // A release's refusals go on the service's timeline: it has no incident.
    const releaseActions: readonly string[] = ids.RELEASE_ACTION_IDS;
    const recorded = registered();
    // A new action id without a case here fails this line: the gate test grows with the app.
    expect(Object.keys(clicks).sort()).toEqual([...recorded.action].sort());
    expect(recorded.command).toEqual(['/rollback', '/rollout']);
    expect(recorded.view).toEqual([ids.ROLLBACK_MODAL_CALLBACK_ID]);

    for (const [actionId, click] of Object.entries(clicks)) {
      const before = (await refusals(world, incident.id)).length;
      const responseId = `gate-${actionId}`;
      const sent = world.slack.responses.length;
      await click(responseId);
      const answer = await world.slack.waitForResponse((p) => world.slack.responses.indexOf(p) >= sent, 10_000);
      expect([actionId, JSON.stringify(answer.body)]).toEqual([actionId, expect.stringMatching(/Only the/)]);
      if (actionId !== ids.OPEN_INCIDENT && !releaseActions.includes(actionId)) {
        expect([actionId, (await refusals(world, incident.id)).length]).toEqual([actionId, before + 1]);
      }
    }

    // Every subcommand that moves production, typed by the stranger.
    const { good, badCommit, goodCommit } = world.history;
    const typed = [`${SERVICE} broken`, `${SERVICE} to ${good.id}`, `revert ${SERVICE} ${badCommit}`];
    typed.push(`reset ${SERVICE} ${goodCommit}`, `schema ${SERVICE} 20260117_add_ai`, `flag ${SERVICE} ai-notes off`);
    for (const text of typed) {
      const reply = (await world.bot.sender.slashCommand({ text, userId: stranger })).json() as { text: string };
      expect([text, reply.text]).toEqual([text, expect.stringMatching(/Only the/)]);
    }
    // Every /rollout that changes a release or starts one, typed by the stranger: answered after the ack.
    const override = `${SERVICE} ${world.history.bad.id} override preflight,window it is urgent`;
    for (const text of [SERVICE, override, `pause ${SERVICE}`, `resume ${SERVICE}`, `abort ${SERVICE}`]) {
      const responseId = `rollout-${text.replace(/\W+/g, '-')}`;
      await world.bot.sender.slashCommand({ text, userId: stranger, command: '/rollout', responseId });
      expect([text, await answerOf(world, responseId)]).toEqual([text, expect.stringMatching(/Only the DevOps lead/)]);
    }
    const readDb = createDb(ctx.database.url, silentLogger, 1);
    expect((await createReleaseStore(readDb).byId(release.id))?.state).toBe('paused');
    await readDb.close();

    // The form's submission.
    const form = await world.bot.sender.interaction({
      type: 'view_submission',
      user: { id: stranger },
      view: {
        id: 'V1',
        type: 'modal',
        callback_id: ids.ROLLBACK_MODAL_CALLBACK_ID,
        private_metadata: 'C0PRODALRT',
        state: {
          values: {
            [ids.ROLLBACK_MODAL_FIELDS.service.blockId]: {
              [ids.ROLLBACK_MODAL_FIELDS.service.actionId]: {
                type: 'static_select',
                selected_option: { value: SERVICE },
              },
            },
            [ids.ROLLBACK_MODAL_FIELDS.what.blockId]: {
              [ids.ROLLBACK_MODAL_FIELDS.what.actionId]: {
                type: 'radio_buttons',
                selected_option: { value: 'application' },
              },
            },
            [ids.ROLLBACK_MODAL_FIELDS.target.blockId]: {
              [ids.ROLLBACK_MODAL_FIELDS.target.actionId]: { type: 'plain_text_input', value: '' },
            },
            [ids.ROLLBACK_MODAL_FIELDS.reason.blockId]: {
              [ids.ROLLBACK_MODAL_FIELDS.reason.actionId]: { type: 'plain_text_input', value: 'broken' },
            },
          },
        },
      },
    });
    // The form answers in place: the refusal is shown on the form.
    expect(JSON.stringify(form.json())).toMatch(/Only the/);

    // Nothing moved: the approval is still pending, production still serves the bad deployment.
    expect((await deps.store.getApproval(approval.id))?.decision).toBe('pending');
    expect(world.vercel.state.production()?.id).toBe(world.history.bad.id);
    expect((await deps.store.listIncidents({ openOnly: true, limit: 5 })).map((i) => i.id)).toEqual([incident.id]);
  });
});

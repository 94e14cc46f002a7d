/**
 * Shared setup for the trigger-rule tests (triggers-must, triggers-should-may): the services each rule is tried on,
 * the detection world, alerts sent through the intake as Alertmanager or Grafana webhook JSON, and what "asked"
 * (an incident at the question, the owner paged) and "nothing" (no incident, no post) look like.
 */
import { alertmanagerWebhook, grafanaWebhook, type AlertSpec } from '../unit/signals/builders';
import { type DetectionWorld, extraService, incidentsOf, useDetectionWorld } from '../support/detection-world';

const NAMES = [
  'auth-down',
  'auth-partial',
  'db-writes',
  'sec-critical',
  'sec-warning',
  'five-xx',
  'five-xx-low',
  'five-xx-gap',
  'feature',
  'feature-low',
  'rate-limit',
  'ui-bug',
  'quiet',
  'p95-slow',
  'p95-fine',
  'p95-nobase',
] as const;
type Name = (typeof NAMES)[number];

export async function state(
  world: DetectionWorld,
  service: string,
): Promise<{ last_verdict: string | null; last_rule: string | null; five_xx_intervals: number }> {
  const { rows } = await world.db.query(
    'SELECT last_verdict, last_rule, five_xx_intervals FROM detection_states WHERE service = $1',
    [service],
  );
  return rows[0] as never;
}

export async function detection(
  world: DetectionWorld,
  service: string,
): Promise<{ level: string; status: string; proposal_posted: boolean; incident_id: string | null } | undefined> {
  const { rows } = await world.db.query(
    'SELECT level, status, proposal_posted, incident_id FROM detections WHERE service = $1 ORDER BY id DESC LIMIT 1',
    [service],
  );
  return rows[0] as never;
}

/** The trigger-rule world for one describe block; call it at the describe's top level (it registers hooks). */
export function useTriggerWorld(database: string) {
  const ctx = useDetectionWorld(database, { services: NAMES.map((name) => extraService(name)) });
  const w = () => ctx.world;
  const startsAt = () => new Date(w().clock.now().getTime() - 60_000).toISOString();
  const alertmanager = (service: Name, alert: Omit<AlertSpec, 'labels'> & { labels: Record<string, string> }): void => {
    w().bot.bot.detection.intake.fromWebhook(
      'alertmanager',
      alertmanagerWebhook([{ startsAt: startsAt(), ...alert, labels: { service, ...alert.labels } }]),
    );
  };
  const grafana = (service: Name, alert: Omit<AlertSpec, 'labels'> & { labels: Record<string, string> }): void => {
    w().bot.bot.detection.intake.fromWebhook(
      'grafana',
      grafanaWebhook([{ startsAt: startsAt(), ...alert, labels: { service, ...alert.labels } }]),
    );
  };
  /** After the outbox is drained: the posts that name the service. */
  const postsAbout = async (service: string) => {
    await w().bot.bot.engine.outbox.drain(10_000);
    return w().posts(service);
  };

  /** MUST/SHOULD without autopilot: one incident, at the question, with the owner paged in its thread. */
  async function expectAsked(service: Name, severity: 'must' | 'should', words: RegExp): Promise<void> {
    const [incident, ...more] = await incidentsOf(w().db, service);
    expect(more).toHaveLength(0);
    expect(incident).toMatchObject({ state: 'open', severity, opened_by: 'rollback-bot' });
    expect(`${incident?.issue} ${incident?.trigger}`).toMatch(words);
    const question = await w().slack.waitForCall(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.answer.ok &&
        String(c.params.blocks).includes(`Incident ${incident?.id}`) &&
        String(c.params.text).includes('Can it be hotfixed'),
    );
    expect(question.params.thread_ts).toBeUndefined();
    expect(String(question.params.blocks)).toContain('rollback_monitor');
    const paged = await w().slack.waitForCall(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.answer.ok &&
        String(c.params.blocks).includes(`Incident ${incident?.id}`) &&
        String(c.params.blocks).includes('<@U0DEVOPS1>'),
    );
    expect(paged.params.thread_ts).toBeDefined();
    expect(String(paged.params.blocks)).toContain('<!subteam^S0ONCALL1>');
    expect(String(paged.params.blocks)).toContain(severity === 'must' ? 'MUST roll back' : 'SHOULD roll back');
    expect(
      w()
        .posts('ROLLBACK IN PROGRESS')
        .filter((c) => String(c.params.blocks).includes(service)),
    ).toHaveLength(0);
  }

  async function expectNothing(service: Name, verdict: 'ok' | 'inconclusive'): Promise<void> {
    expect((await state(w(), service)).last_verdict).toBe(verdict);
    expect(await incidentsOf(w().db, service)).toHaveLength(0);
    expect(await detection(w(), service)).toBeUndefined();
    expect(await postsAbout(service)).toHaveLength(0);
  }

  return { w, alertmanager, grafana, postsAbout, expectAsked, expectNothing };
}

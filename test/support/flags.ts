/** Helpers for the feature-flag end-to-end tests: a command's final answer, the flag's value, the timeline rows. */
import { silentLogger } from '../../src/logger';
import { createDb } from '../../src/store/pool';
import { STILL_WORKING } from '../../src/slack/listeners/commands/rollback';
import { openQuestionIncident } from '../../src/rollback/incident/hotfix';
import { FLAG, SERVICE, type World } from './incident-world';

/** An alert (a SHOULD) whose text names the AI notes feature: the hotfix question offers "Disable ai-notes". */
export async function alertNamingTheFeature(world: World): Promise<string> {
  const { incident } = await openQuestionIncident(world.bot.bot.engine.deps, {
    service: SERVICE,
    issue: 'Error rate 14% on POST /api/ai-notes (AI notes)',
    trigger: 'Grafana alert: feature error rate > 10%',
    actor: 'alert:grafana',
    severity: 'should',
  });
  return incident.id;
}

interface Answer {
  text?: unknown;
  blocks?: unknown;
}

/** The answer to a /rollback command (text, then blocks): the acknowledgement, or what follows through response_url. */
export async function commandAnswer(world: World, text: string, userId: string): Promise<string> {
  const responseId = `cmd-${Math.random().toString(36).slice(2, 10)}`;
  const ack = (await world.bot.sender.slashCommand({ text, userId, responseId })).json() as Answer;
  const answer =
    ack.text === STILL_WORKING
      ? ((await world.slack.waitForResponse((p) => p.id === responseId, 20_000)).body as Answer)
      : ack;
  return `${String(answer.text ?? '')}\n${JSON.stringify(answer.blocks ?? [])}`;
}

/** The answer to a button, posted through its response_url. */
export async function buttonAnswer(
  world: World,
  fields: { userId: string; actionId: string; value: string },
): Promise<string> {
  const responseId = `btn-${Math.random().toString(36).slice(2, 10)}`;
  await world.bot.sender.blockAction({ ...fields, responseId });
  const answer = await world.slack.waitForResponse((p) => p.id === responseId, 20_000);
  return String((answer.body as { text?: unknown }).text ?? '');
}

/** What Vercel's REST API holds for the flag now. */
export const flagValue = (world: World): unknown =>
  world.vercel.edgeConfig.latest(FLAG.edgeConfigId)?.get(FLAG.key)?.value;

interface FlagTimelineRow {
  incident_id: string | null;
  service: string | null;
  actor: string;
  kind: string;
  message: string;
  data: Record<string, unknown>;
}

/** The kill switch's timeline rows (switched, failed, CTO notified, refused), oldest first. */
export async function flagTimeline(databaseUrl: string): Promise<FlagTimelineRow[]> {
  const db = createDb(databaseUrl, silentLogger, 1);
  try {
    return await db.query<FlagTimelineRow>({
      text: `SELECT incident_id, service, actor, kind, message, data FROM timeline
             WHERE kind LIKE 'flag%' OR kind = 'cto_notified' OR data->>'gate' = 'flag' ORDER BY id`,
      values: [],
    });
  } finally {
    await db.close();
  }
}

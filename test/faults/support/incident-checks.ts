/**
 * What every fault test checks once the dust settles, read straight from the
 * bot's database and the Slack stand-in: the incident ended once, its timeline
 * has no gap (every stored move of a step or of the incident has its entry,
 * the entries chain from the first state to the stored one), and the thread
 * got each message once.
 */
import type { RecordedCall, SlackStandin } from '../../../src/standins/slack/server';
import type { StandinDeployment } from '../../../src/standins/vercel/state';
import { waitFor } from '../../support/wait';
import { type World, callText } from '../../support/incident-world';
import { rows } from '../../support/database';

/** The incident id in the ephemeral answer to a /rollback that started one. */
export function startedIncident(answer: { text: string }): string {
  const id = /started as (INC-\S+?)\./.exec(answer.text)?.[1];
  if (!id) throw new Error(`no incident started: ${answer.text}`);
  return id;
}

export async function incidentState(url: string, id: string): Promise<string | undefined> {
  return (await rows<{ state: string }>(url, 'SELECT state FROM incidents WHERE id = $1', [id]))[0]?.state;
}

export async function waitForIncident(url: string, id: string, state: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(`${id} to be ${state}`, async () => (await incidentState(url, id)) === state, timeoutMs);
}

/** Every message of the incident is with Slack (or refused for good), the outcome included. */
export async function waitForThreadDelivered(url: string, id: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    `the messages of ${id} to reach Slack`,
    async () => {
      const [outbox] = await rows<{ pending: string; outcome: string }>(
        url,
        `SELECT count(*) FILTER (WHERE version > sent_version AND version > failed_version) AS pending,
                count(*) FILTER (WHERE key = $2 AND sent_version = version) AS outcome
         FROM slack_outbox WHERE key LIKE $1`,
        [`incident:${id}:%`, `incident:${id}:outcome`],
      );
      return Number(outbox?.pending) === 0 && Number(outbox?.outcome) === 1;
    },
    timeoutMs,
  );
}

/** What the bot stored to say for one part of an incident's thread ("root", "progress", "outcome"...). */
export async function storedMessage(
  url: string,
  id: string,
  part: string,
): Promise<{ text: string; blocks: string; threadKey: string | null } | undefined> {
  const [row] = await rows<{ text: string; blocks: unknown; thread_key: string | null }>(
    url,
    'SELECT text, blocks, thread_key FROM slack_outbox WHERE key = $1',
    [`incident:${id}:${part}`],
  );
  return row ? { text: row.text, blocks: JSON.stringify(row.blocks ?? null), threadKey: row.thread_key } : undefined;
}

interface Thread {
  root: RecordedCall;
  /** Accepted chat.postMessage calls in the root's thread, in the order Slack got them. */
  replies: RecordedCall[];
}

/** The incident's thread as Slack saw it: its root must have been posted exactly once. */
export async function threadOf(url: string, slack: SlackStandin, id: string): Promise<Thread> {
  const [root] = await rows<{ ts: string | null }>(url, 'SELECT ts FROM slack_outbox WHERE key = $1', [
    `incident:${id}:root`,
  ]);
  const posts = slack.callsOf('chat.postMessage').filter((c) => c.answer.ok);
  const roots = posts.filter((c) => root?.ts && c.answer.ts === root.ts);
  if (roots.length !== 1 || !roots[0]) throw new Error(`the root of ${id} was posted ${roots.length} times`);
  return { root: roots[0], replies: posts.filter((c) => c.params.thread_ts === root?.ts) };
}

export const mentions =
  (words: string) =>
  (call: RecordedCall): boolean =>
    callText(call).includes(words);

export interface TimelineRow {
  id: string;
  kind: string;
  actor: string;
  message: string;
  data: { stepId?: string; from?: string; to?: string };
}
interface StepRow {
  id: string;
  kind: string;
  state: string;
  attempts: number;
}

/**
 * The timeline of an incident has no gap: one "opened" entry; the incident's
 * moves chain from open to its stored state; each step's moves chain from its
 * first state to its stored state, with one "running" per attempt counted.
 * Returns the entries and the steps for further checks.
 */
export async function expectTimelineWithoutGaps(
  url: string,
  id: string,
  firstStepState = 'pending',
): Promise<{ timeline: TimelineRow[]; steps: StepRow[]; state: string }> {
  const timeline = await rows<TimelineRow>(
    url,
    'SELECT id, kind, actor, message, data FROM timeline WHERE incident_id = $1 ORDER BY id',
    [id],
  );
  const steps = await rows<StepRow>(
    url,
    'SELECT id, kind, state, attempts FROM steps WHERE incident_id = $1 ORDER BY position',
    [id],
  );
  const state = (await incidentState(url, id)) ?? 'missing';
  expect(timeline.filter((t) => t.kind === 'opened')).toHaveLength(1);
  const chain = (moves: TimelineRow[], first: string): string[] => [
    moves[0]?.data.from ?? first,
    ...moves.map((m) => m.data.to ?? '?'),
  ];
  const incidentMoves = timeline.filter((t) => t.kind === 'incident_state');
  const incidentPath = chain(incidentMoves, 'open');
  expect({ incident: incidentPath[0], stored: state }).toEqual({ incident: 'open', stored: incidentPath.at(-1) });
  incidentMoves.forEach(
    (move, i) =>
      i > 0 &&
      expect({ incident: id, from: move.data.from }).toEqual({ incident: id, from: incidentMoves[i - 1]?.data.to }),
  );
  for (const step of steps) {
    const moves = timeline.filter((t) => t.kind === 'step' && t.data.stepId === step.id);
    const path = chain(moves, firstStepState);
    expect({ step: step.kind, first: path[0], last: path.at(-1) }).toEqual({
      step: step.kind,
      first: firstStepState,
      last: step.state,
    });
    moves.forEach(
      (move, i) =>
        i > 0 &&
        expect({ step: step.kind, from: move.data.from }).toEqual({ step: step.kind, from: moves[i - 1]?.data.to }),
    );
    expect({ step: step.kind, attempts: step.attempts }).toEqual({
      step: step.kind,
      attempts: moves.filter((m) => m.data.to === 'running').length,
    });
  }
  return { timeline, steps, state };
}

/**
 * A fresh good deployment that served production, then a bad one serving it now,
 * so each test rolls back to a target of its own.
 */
export function breakProduction(world: World, n: number): { good: StandinDeployment; bad: StandinDeployment } {
  const good = world.vercel.state.addDeployment({ version: `1.9.${n}`, commit: world.history.goodCommit, live: true });
  const bad = world.vercel.state.addDeployment({ version: `2.0.${n}`, commit: world.history.badCommit, live: true });
  return { good, bad };
}

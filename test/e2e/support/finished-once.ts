/** The crash-restart tests' one proof that an incident ended once after its bot process was killed. */
import type { TimelineRow } from '../../faults/support/incident-checks';
import { waitFor } from '../../support/wait';
import type { CrashWorld } from './crash-world';

/**
 * The incident ended once: resolved, one request to Vercel, one COMPLETE, each step's moves
 * chained from pending to succeeded with one "running" per attempt, and every step ended
 * exactly once after the restart, by the new process.
 */
export async function expectFinishedOnce(
  world: CrashWorld,
  incidentId: string,
  expected: {
    before: { posts: number; complete: number };
    restart: { pid: number; restartedAfter: number };
    paths: Record<string, string[]>;
    reconciled: number;
  },
): Promise<TimelineRow[]> {
  const { rows } = world;
  await waitFor(
    'the incident to resolve',
    async () =>
      (await rows<{ state: string }>('SELECT state FROM incidents WHERE id = $1', [incidentId]))[0]?.state ===
      'resolved',
  );
  // Every message of the incident sent, the outcome included, before counting what Slack got.
  await waitFor("the incident's messages to reach Slack", async () => {
    const [outbox] = await rows<{ pending: string; outcome: string }>(
      `SELECT count(*) FILTER (WHERE version > sent_version AND version > failed_version) AS pending,
              count(*) FILTER (WHERE key = $2 AND sent_version > 0) AS outcome
       FROM slack_outbox WHERE key LIKE $1`,
      [`incident:${incidentId}:%`, `incident:${incidentId}:outcome`],
    );
    return Number(outbox?.pending) === 0 && Number(outbox?.outcome) === 1;
  });
  const [root] = await rows<{ ts: string }>('SELECT ts FROM slack_outbox WHERE key = $1', [
    `incident:${incidentId}:root`,
  ]);
  const inThread = world.slack
    .callsOf('chat.postMessage')
    .filter((c) => c.answer.ok && c.params.thread_ts === root?.ts);
  expect(inThread.filter((c) => String(c.params.text).includes('ROLLBACK COMPLETE'))).toHaveLength(1);
  expect(world.rollbackPosts() - expected.before.posts).toBe(1);
  expect(world.completePosts() - expected.before.complete).toBe(1);
  expect(world.vercel.state.production()?.id).toBe(world.good.id);

  const timeline = await rows<TimelineRow>(
    'SELECT id, kind, actor, message, data FROM timeline WHERE incident_id = $1 ORDER BY id',
    [incidentId],
  );
  const worker = `replica-${expected.restart.pid}-`;
  const stored = await world.steps(incidentId);
  expect(stored.map((s) => s.kind)).toEqual(Object.keys(expected.paths));
  for (const step of stored) {
    const moves = timeline.filter((t) => t.kind === 'step' && t.data.stepId === step.id);
    const path = [moves[0]?.data.from, ...moves.map((m) => m.data.to)];
    expect({ kind: step.kind, path }).toEqual({ kind: step.kind, path: expected.paths[step.kind] });
    moves.forEach((move, i) => i > 0 && expect(move.data.from).toBe(moves[i - 1]?.data.to));
    expect({ kind: step.kind, state: step.state, attempts: step.attempts }).toEqual({
      kind: step.kind,
      state: 'succeeded',
      attempts: moves.filter((m) => m.data.to === 'running').length,
    });
    const afterRestart = moves.filter((m) => Number(m.id) > expected.restart.restartedAfter);
    const doneBefore = moves.some((m) => Number(m.id) <= expected.restart.restartedAfter && m.data.to === 'succeeded');
    expect(afterRestart.filter((m) => m.data.to === 'succeeded').map((m) => m.data.from)).toEqual(
      doneBefore ? [] : ['running'],
    );
    expect(afterRestart.filter((m) => m.data.to === 'running').length).toBeLessThanOrEqual(1);
    for (const move of afterRestart) expect(move.actor.startsWith(worker)).toBe(true);
  }
  const incidentMoves = timeline.filter((t) => t.kind === 'incident_state');
  expect([incidentMoves[0]?.data.from, ...incidentMoves.map((m) => m.data.to)]).toEqual([
    'open',
    'rolling_back',
    'verifying',
    'resolved',
  ]);
  const reconciled = timeline.filter((t) => t.kind === 'reconcile');
  expect(reconciled).toHaveLength(expected.reconciled);
  for (const entry of reconciled) expect(entry.actor.startsWith(worker)).toBe(true);
  return timeline;
}

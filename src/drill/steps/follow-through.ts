/**
 * Step 5: after the rollback. The thread carries the runbook's post-rollback
 * checklist; the DevOps lead ticks "verify production health" and the bot
 * redraws the checklist. Then `/rollback stats` answers with the metrics: the
 * closing table is the bot's own figures, checked against the answer.
 */
import { type DrillContext, type Problems, waitForRoot } from '../context';
import { archiveManifest } from '../app-database';
import { DRILL_TARGETS, type MetricRow, drillMetricRows, shownValue } from '../metrics-table';
import { measureRollbacks } from '../../rollback/metrics/measure';
import { type RollbackMetrics, figure } from '../../rollback/metrics/rollback-metrics';
import { PEOPLE, checkboxesIn } from '../people';
import { SERVICE_NAME } from '../scratch-app';
import { waitUntil } from '../wait';
import { readMrkdwn } from '../../slack/blocks/render-text';

const CHECKLIST_DEADLINE_MS = 30_000;

async function tickChecklist(ctx: DrillContext, incidentId: string): Promise<Problems> {
  const { world } = ctx;
  const root = await waitForRoot(ctx.world.transcript, incidentId, 0, 5_000);
  if (!root) return [`no thread found for ${incidentId}`];
  const found = await waitUntil(() => {
    for (const message of world.transcript.thread(root.ts)) {
      const boxes = checkboxesIn(message.blocks).find((b) => b.options.some((o) => !b.ticked.includes(o.value)));
      if (boxes) return { message, boxes };
    }
    return undefined;
  }, CHECKLIST_DEADLINE_MS);
  if (!found)
    return [
      `no post-rollback checklist (checkboxes) in the thread of ${incidentId} within ` +
        `${CHECKLIST_DEADLINE_MS / 1000} s of ROLLBACK COMPLETE`,
    ];
  const open = found.boxes.options.filter((o) => !found.boxes.ticked.includes(o.value));
  const label = (o: { text: unknown }): string => {
    const text = (o.text as { text?: unknown } | undefined)?.text;
    return typeof text === 'string'
      ? (readMrkdwn(text)
          .replace(/[*_~`]/g, '')
          .split('\n')[0] ?? '')
      : '';
  };
  const item = open.find((o) => /health/i.test(label(o))) ?? open[0];
  if (!item) return [`the checklist of ${incidentId} has nothing left to tick`];
  const edits = found.message.edits;
  const status = await world.people.tick(
    PEOPLE.devopsLead,
    found.message,
    found.boxes,
    item.value,
    label(item) || item.value,
  );
  if (status !== 200) return [`ticking the checklist was answered HTTP ${status}`];
  const redrawn = await waitUntil(
    () =>
      found.message.edits > edits &&
      checkboxesIn(found.message.blocks).some(
        (b) => b.actionId === found.boxes.actionId && b.ticked.includes(item.value),
      ),
    15_000,
  );
  if (!redrawn) return [`the checklist of ${incidentId} was not redrawn with "${label(item)}" ticked within 15 s`];
  ctx.note(`the checklist of ${incidentId} shows "${label(item)}" ticked`);
  return [];
}

/**
 * `/rollback stats` as the DevOps lead asks it, and the same figures the bot
 * computed for it (measureRollbacks, what the command calls): the closing
 * table is those figures, and each must read the same in the bot's answer.
 */
async function askStats(ctx: DrillContext): Promise<{ problems: Problems; metrics?: RollbackMetrics }> {
  const asked = new Date();
  const answer = await ctx.world.people.command(PEOPLE.devopsLead, `stats ${SERVICE_NAME}`);
  const looksLikeStats = (text: string): boolean => /detection/i.test(text) && /downtime/i.test(text);
  const stats = looksLikeStats(answer.text)
    ? answer.text
    : (
        await waitUntil(() => {
          const posted = ctx.world.transcript.answer(answer.responseId);
          return posted && looksLikeStats(posted.text) ? posted : undefined;
        }, 15_000)
      )?.text;
  if (stats === undefined)
    return {
      problems: [
        `/rollback stats did not answer with the metrics (detection, execution, downtime, ` +
          `data loss): "${answer.text.split('\n')[0] ?? ''}"`,
      ],
    };
  const metrics = await measureRollbacks(ctx.world.store, { service: SERVICE_NAME, at: asked });
  const problems: Problems = [];
  for (const name of DRILL_TARGETS) {
    const f = figure(metrics, name);
    const line = stats.split('\n').find((l) => l.includes(f.title)) ?? '';
    const shown =
      f.value === undefined ? 'no data' : `worst ${f.unit === 's' ? shownValue(f, f.value) : `${f.value} row`}`;
    if (!line.includes(shown))
      problems.push(
        `/rollback stats shows "${line.trim() || `no line for ${f.title}`}", not the bot's own figure (${shown})`,
      );
  }
  return { problems, metrics };
}

export async function followThrough(ctx: DrillContext, done: (rows: MetricRow[]) => void): Promise<Problems> {
  const { world, facts } = ctx;
  const ids = [facts.incidents.detected, facts.incidents.revert, facts.incidents.schema].filter(
    (id): id is string => id !== undefined,
  );
  const problems: Problems = [];
  const restored = [];
  for (const id of ids) if ((await world.store.getIncident(id))?.restoredAt) restored.push(id);
  const first = restored[0];
  if (first) problems.push(...(await tickChecklist(ctx, first)));
  else problems.push('no incident of the drill was restored, so there is no post-rollback checklist to follow');
  const archives = await archiveManifest(world.databases.appUrl);
  const stats = await askStats(ctx);
  problems.push(...stats.problems);
  if (
    archives.length > 0 &&
    archives.every((a) => a.restored) &&
    stats.metrics &&
    (figure(stats.metrics, 'data_loss').value ?? 0) > 0
  ) {
    problems.push("the archive manifest says every archive was restored, but the bot's data loss is not 0");
  }
  if (!stats.metrics) return problems;
  const rows = drillMetricRows(stats.metrics);
  done(rows);
  const verdicts = rows.map(
    (r) => `${r.title.split(' (')[0]} ${r.measured.split(' (')[0]} ${r.pass ? 'PASS' : 'FAIL'}`,
  );
  ctx.note(
    `the bot's /rollback stats for ${figure(stats.metrics, 'downtime').samples} incident(s): ${verdicts.join('; ')}`,
  );
  return problems;
}

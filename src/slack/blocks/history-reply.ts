/**
 * `/rollback history`: the runbook's "Previous Stable Versions" table
 * (Version | Git Commit | Date | Notes), as an aligned preformatted block.
 */
import { describeService } from './describe';
import { type Block, type SlackMessage, capBlocks, context, section } from './elements';
import { formatDay } from './format';
import { LIMITS, codeBlock, escapeMrkdwn, fallback, oneLine, truncate } from './text';
import type { HistoryRow, HistoryView } from './view-models';

const COLUMNS = ['Version', 'Git Commit', 'Date', 'Notes'] as const;
const MAX_CELL = [24, 10, 10, 70] as const;
const FENCES = 6;

function cells(row: HistoryRow, timeZone: string): string[] {
  const marks = [row.current ? 'current production' : '', row.lastKnownGood ? 'last known good' : ''].filter(Boolean);
  const notes = [row.notes ? oneLine(row.notes) : '', marks.length ? `(${marks.join(', ')})` : '']
    .filter(Boolean)
    .join(' ');
  const raw = [
    row.version ?? '-',
    row.commit ? row.commit.slice(0, 7) : '-',
    row.date ? formatDay(row.date, timeZone) : '-',
    notes || '-',
  ];
  return raw.map((cell, i) => truncate(oneLine(cell), MAX_CELL[i] ?? 70));
}

/** Rows as aligned lines; escaped after padding so the columns line up as the reader sees them. */
function tableLines(view: HistoryView): string[] {
  const rows = view.rows.map((row) => cells(row, view.timeZone));
  const widths = COLUMNS.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]): string =>
    escapeMrkdwn(
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    );
  return [line(COLUMNS), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** Splits the table into code blocks that each fit a section, repeating no header. */
function tableSections(lines: readonly string[], maxSections: number): Block[] {
  const max = LIMITS.sectionText - FENCES;
  const chunks: string[][] = [[]];
  let shown = 0;
  for (const line of lines) {
    const current = chunks[chunks.length - 1] as string[];
    const size = current.reduce((sum, l) => sum + l.length + 1, 0) + line.length;
    if (size > max - 40) {
      if (chunks.length >= maxSections) break;
      chunks.push([line]);
    } else {
      current.push(line);
    }
    shown += 1;
  }
  const left = lines.length - shown;
  if (left > 0) (chunks[chunks.length - 1] as string[]).push(`…and ${left} older version(s)`);
  return chunks.map((chunk) => section(codeBlock(chunk.join('\n'), LIMITS.sectionText)));
}

function serviceBlocks(view: HistoryView, maxSections: number): Block[] {
  const title = section(`*Previous Stable Versions: ${describeService(view.service)}*`);
  if (view.rows.length === 0)
    return [title, section('_No deployments recorded yet: the bot learns them as production changes._')];
  const good = view.rows.find((row) => row.lastKnownGood && !row.current);
  const blocks = [title, ...tableSections(tableLines(view), maxSections)];
  if (good) {
    blocks.push(
      context([
        `*Rollback priority:* if production fails, roll back to ` +
          `\`${escapeMrkdwn(truncate(oneLine(good.commit?.slice(0, 7) ?? good.version ?? '?'), 40))}\``,
      ]),
    );
  }
  return blocks;
}

export function historyReply(views: readonly HistoryView[]): SlackMessage {
  if (views.length === 0)
    return { text: 'No services are configured.', blocks: [section('No services are configured.')] };
  const perService = Math.max(1, Math.floor((LIMITS.messageBlocks - 2) / views.length) - 2);
  const blocks = views.flatMap((view) => serviceBlocks(view, perService));
  const first = views[0] as HistoryView;
  const text =
    views.length === 1
      ? `Previous stable versions of ${describeService(first.service)}: ${first.rows.length} recorded.`
      : `Previous stable versions of ${views.length} services.`;
  return { text: fallback(text), blocks: capBlocks(blocks, LIMITS.messageBlocks) };
}

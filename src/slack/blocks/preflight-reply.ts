/**
 * `/rollback preflight <service>`: the runbook's pre-deployment checklist as
 * the CLI runs it, each check passed, failed or skipped with its reason and,
 * when it did not pass, what to do.
 */
import type { CheckStatus, PreflightReport } from '../../rollback/preflight/report';
import { type Block, type SlackMessage, capBlocks, context, header, section } from './elements';
import { formatDateTime } from './format';
import { LIMITS, escapeMrkdwn, fallback, oneLine, truncate } from './text';

interface PreflightReplyView {
  timeZone: string;
  report: PreflightReport;
}

const MARKS: Readonly<Record<CheckStatus, string>> = { pass: '✅', fail: '❌', skip: '⏭️' };
const WORDS: Readonly<Record<CheckStatus, string>> = { pass: 'passed', fail: 'FAILED', skip: 'skipped' };
const MAX_NOTES = 8;

/** Escaped text: findings quote migration SQL, which must not mention or link anyone. */
function text(raw: string, max: number): string {
  return escapeMrkdwn(truncate(oneLine(raw), max));
}

/** The on-call check names the services file's roles (<@U…> users, <@S…> groups): those may mention. */
function withRoleMentions(escaped: string): string {
  return escaped.replace(/&lt;@([UW][A-Z0-9]{2,})&gt;/g, '<@$1>').replace(/&lt;@(S[A-Z0-9]{2,})&gt;/g, '<!subteam^$1>');
}

const short = (sha: string | undefined): string => (sha ? `\`${escapeMrkdwn(sha.slice(0, 7))}\`` : 'unknown');

export function preflightReply(view: PreflightReplyView): SlackMessage {
  const { report } = view;
  const blocks: Block[] = [
    header(`Pre-deployment checklist: ${truncate(report.service, 100)}`),
    section(
      `*Candidate* ${short(report.candidate)} · *live* ${short(report.live)} · checked ` +
        `${formatDateTime(report.checkedAt, view.timeZone)}`,
    ),
    ...(report.unavailable ?? []).map((line) => section(`⚠️ ${text(line, 600)}`)),
  ];
  for (const check of report.checks) {
    const fix = check.fix && check.status !== 'pass' ? [`_Fix:_ ${text(check.fix, 600)}`] : [];
    const detail = check.id === 'on-call' ? withRoleMentions(text(check.detail, 1200)) : text(check.detail, 1200);
    const head = `${MARKS[check.status]} *${escapeMrkdwn(check.title)}* ${WORDS[check.status]}: ${detail}`;
    // Notes fill what the section has left after the verdict and the fix, so neither is ever cut.
    let room = LIMITS.sectionText - head.length - fix.join('').length - 40;
    const notes: string[] = [];
    for (const note of check.notes.slice(0, MAX_NOTES)) {
      const line = `• ${text(note, 300)}`;
      if (line.length + 1 > room) break;
      notes.push(line);
      room -= line.length + 1;
    }
    if (notes.length < check.notes.length) notes.push(`• …and ${check.notes.length - notes.length} more`);
    blocks.push(section(truncate([head, ...notes, ...fix].join('\n'), LIMITS.sectionText)));
  }
  const failures = report.checks.filter((c) => c.status === 'fail').length;
  const skips = report.checks.filter((c) => c.status === 'skip').length;
  const verdict = report.passed
    ? `Ready to deploy${skips > 0 ? ` (${skips} check(s) skipped)` : ''}.`
    : `Not ready: ${failures} check(s) failed.`;
  blocks.push(section(`*${verdict}*`));
  blocks.push(
    context(['The same checks as `rollback-bot preflight` in CI, which exits 1 when one fails. Nothing was changed.']),
  );
  return {
    text: fallback(`Pre-deployment checklist for ${escapeMrkdwn(report.service)}: ${verdict}`),
    blocks: capBlocks(blocks, LIMITS.messageBlocks),
  };
}

/**
 * The live step list in the incident thread: one message the engine updates
 * in place, one line per step with its state, detail, checks and times. Long
 * plans are packed into few sections so even 60 steps fit one message.
 */
import { STEP_EMOJI, STEP_STATE_WORDS, describeIncident, describeService } from './describe';
import { type SlackMessage, capBlocks, context, packLines, section } from './elements';
import { formatDuration, formatTime } from './format';
import { LIMITS, escapeMrkdwn, fallback, oneLine, truncate } from './text';
import type { CheckResult, ProgressView, StepProgress } from './view-models';

const INDENT = '       ';

function times(step: StepProgress, timeZone: string): string {
  if (step.startedAt && step.finishedAt) {
    return (
      ` · ${formatTime(step.startedAt, timeZone)}, took ` +
      `${formatDuration(step.finishedAt.getTime() - step.startedAt.getTime())}`
    );
  }
  if (step.startedAt) return ` · since ${formatTime(step.startedAt, timeZone)}`;
  if (step.finishedAt) return ` · ${formatTime(step.finishedAt, timeZone)}`;
  return '';
}

function checkLine(check: CheckResult): string {
  const facts = [
    check.status !== undefined ? `${check.status}` : undefined,
    check.latencyMs !== undefined ? formatDuration(check.latencyMs) : undefined,
    check.detail ? escapeMrkdwn(truncate(oneLine(check.detail), 200)) : undefined,
  ].filter((fact): fact is string => fact !== undefined);
  const name = escapeMrkdwn(truncate(oneLine(check.name), 80));
  return `${INDENT}${check.passed ? '✓ pass' : '✗ FAIL'} ${name}${facts.length ? `: ${facts.join(', ')}` : ''}`;
}

/** One step as a few lines; checks beyond a dozen are summarised so a step stays readable. */
function stepLines(step: StepProgress, timeZone: string): string {
  const label = escapeMrkdwn(truncate(oneLine(step.label), 200));
  const lines = [
    `${STEP_EMOJI[step.state]} *${step.position}. ${label}*: ${STEP_STATE_WORDS[step.state]}${times(step, timeZone)}`,
  ];
  if (step.detail) lines.push(`${INDENT}${escapeMrkdwn(truncate(oneLine(step.detail), 400))}`);
  const checks = step.checks ?? [];
  const shown = checks.slice(0, 12);
  lines.push(...shown.map(checkLine));
  if (checks.length > shown.length) {
    const failed = checks.slice(shown.length).filter((check) => !check.passed).length;
    lines.push(`${INDENT}…${checks.length - shown.length} more check(s), ${failed} failed`);
  }
  if (step.error) {
    lines.push(`${INDENT}*Error:* ${escapeMrkdwn(truncate(oneLine(step.error.message), 600))}`);
    if (step.error.fix) lines.push(`${INDENT}*Fix:* ${escapeMrkdwn(truncate(oneLine(step.error.fix), 400))}`);
  }
  return lines.join('\n');
}

function summary(steps: readonly StepProgress[]): string {
  const done = steps.filter((step) => step.state === 'succeeded').length;
  const running = steps.find((step) => step.state === 'running');
  const stuck = steps.find((step) => step.state === 'failed' || step.state === 'unknown');
  if (stuck) return `step ${stuck.position} ${STEP_STATE_WORDS[stuck.state]}`;
  if (running) return `step ${running.position} of ${steps.length} running`;
  return `${done} of ${steps.length} steps done`;
}

export function progress(view: ProgressView): SlackMessage {
  const state = summary(view.steps);
  const lines = view.steps.map((step) => stepLines(step, view.timeZone));
  const steps =
    lines.length > 0
      ? packLines(lines, LIMITS.messageBlocks - 2, (n) => `…and ${n} more step(s)`)
      : [section('_No steps planned yet._')];
  const blocks = [
    section(`*Rollback progress* for ${describeService(view.service)}: ${state}`),
    ...steps,
    context([`Incident ${describeIncident(view.incident)}`, `Updated ${formatTime(view.updatedAt, view.timeZone)}`]),
  ];
  return {
    text: fallback(
      `Rollback progress for ${describeService(view.service)} (${escapeMrkdwn(view.incident.id)}): ${state}`,
    ),
    blocks: capBlocks(blocks, LIMITS.messageBlocks),
  };
}

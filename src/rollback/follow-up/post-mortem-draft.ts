/**
 * A post-mortem draft in markdown, built from the incident and its timeline,
 * for the meeting the runbook asks for within 24 hours. It fills what the
 * bot knows (what happened, when it was detected, what was done, the times
 * against the targets) and leaves the five questions for people to answer.
 */
import type { IncidentRecord, TimelineRecord } from '../ports/incident-store';
import { dataLossRows, detectionMinutes, downtimeMinutes, executionMinutes, incidentTimes, type ArchiveFact } from '../metrics/incident-times';
import { TARGETS, type MetricTarget } from '../metrics/rollback-metrics';

export const FIVE_QUESTIONS = ['What happened?', 'Why did it happen?', 'How did we detect it?', 'How did we fix it?', 'How do we prevent it?'] as const;

export interface PostMortemInput {
  incident: IncidentRecord;
  timeline: readonly TimelineRecord[];
  /** When the deployment that caused it started serving, if known. */
  deployedAt?: Date;
  /** The deployment or commit that was live when it broke, e.g. "2.0.0 (commit b90de38)". */
  badVersion?: string;
  archives?: ArchiveFact[];
}

/** Keeps user text from breaking the markdown around it (tables, headings). */
function inline(text: string): string {
  return text.replace(/\r?\n+/g, ' ').replace(/\|/g, '\\|').trim();
}

function when(date: Date | undefined): string {
  return date ? `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'not recorded';
}

function minutes(value: number | undefined): string {
  if (value === undefined) return 'not known';
  return value < 1 ? `${Math.round(value * 60)} s` : `${Math.round(value * 10) / 10} min`;
}

function verdict(value: number | undefined, target: MetricTarget): string {
  if (value === undefined) return '—';
  const met = target.exactly ? value === target.limit : value < target.limit;
  return met ? 'met' : '**missed**';
}

function who(actor: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(actor) ? `<@${actor}>` : inline(actor);
}

export function postMortemDraft(input: PostMortemInput): string {
  const { incident } = input;
  const times = incidentTimes(incident, { deployedAt: input.deployedAt, archives: input.archives });
  const entries = [...input.timeline].sort((a, b) => a.at.getTime() - b.at.getTime());
  const lost = dataLossRows(times);
  const rows: [string, string, number | undefined, MetricTarget, string][] = [
    ['Detection time', 'deployment → detected', detectionMinutes(times), TARGETS.detection_time, minutes(detectionMinutes(times))],
    ['Execution time', 'decision → restored', executionMinutes(times), TARGETS.execution_time, minutes(executionMinutes(times))],
    ['Downtime', 'impact start → restored', downtimeMinutes(times), TARGETS.downtime, minutes(downtimeMinutes(times))],
    ['Data loss', 'archived rows not restored', lost, TARGETS.data_loss, lost === undefined ? 'not known' : `${lost} rows`],
  ];
  const outcome = times.rolledBack
    ? `Production was restored by a rollback${incident.data.targetSummary ? ` to ${inline(incident.data.targetSummary)}` : ''} at ${when(incident.restoredAt)}.`
    : `The incident ended as "${incident.state}" without a completed rollback.`;

  const lines = [
    `# Post-mortem (draft): ${inline(incident.service)}: ${inline(incident.issue)}`,
    '',
    `Incident \`${incident.id}\`${incident.severity ? `, severity ${incident.severity.toUpperCase()}` : ''}. Owner: ${who(incident.data.owner)}. This draft was written by rollback-bot from the incident's timeline; edit it before the meeting.`,
    '',
    '## Summary',
    '',
    `- **Issue:** ${inline(incident.issue)}`,
    `- **Trigger:** ${inline(incident.trigger)}`,
    ...(input.badVersion ? [`- **Live when it broke:** ${inline(input.badVersion)}`] : []),
    `- **Outcome:** ${outcome}`,
    '',
    '## Times',
    '',
    '| Moment | When |',
    '|---|---|',
    ...(input.deployedAt ? [`| Deployment went live | ${when(input.deployedAt)} |`] : []),
    `| Impact started | ${when(times.impactStartedAt)} |`,
    `| Detected | ${when(times.detectedAt)} |`,
    `| Rollback decided | ${when(incident.decidedAt)} |`,
    `| Production restored | ${when(incident.restoredAt)} |`,
    '',
    '| Metric | Measured | Runbook target | |',
    '|---|---|---|---|',
    ...rows.map(([name, span, value, target, shown]) => `| ${name} (${span}) | ${shown} | ${target.label} | ${verdict(value, target)} |`),
    '',
    '## What was done',
    '',
    ...(entries.length
      ? ['| Time (UTC) | Who | What |', '|---|---|---|', ...entries.map((e) => `| ${e.at.toISOString().slice(11, 19)} | ${who(e.actor)} | ${inline(e.message)} |`)]
      : ['_The timeline is empty._']),
    '',
    '## The five questions',
    '',
    `### ${FIVE_QUESTIONS[0]}`,
    '',
    `${inline(incident.issue)}. Trigger: ${inline(incident.trigger)}.`,
    '',
    `### ${FIVE_QUESTIONS[1]}`,
    '',
    '_To answer: the root cause in the rolled-back code, and why review and tests did not catch it._',
    '',
    `### ${FIVE_QUESTIONS[2]}`,
    '',
    `Detected ${when(times.detectedAt)}${input.deployedAt ? `, ${minutes(detectionMinutes(times))} after the deployment went live` : ''}; reported by ${who(incident.openedBy ?? incident.data.requestedBy)}.`,
    '',
    `### ${FIVE_QUESTIONS[3]}`,
    '',
    outcome,
    '',
    `### ${FIVE_QUESTIONS[4]}`,
    '',
    '_To answer: the alert for the missed failure mode, the regression test, and the pre-deployment check that would have stopped it._',
    '',
  ];
  return lines.join('\n');
}
